// The blog's authors and the faces of erasure: register one (a name and an email, sealed
// under keys of their own), see what the store holds about one (the subject-access
// export), and forget one after a confirm (their keys destroyed; the row then shows the
// placeholder, as every post of theirs does).

import { api, ApiError, type Author } from './api.js';
import { fill, h } from './dom.js';
import { formatJson } from './format.js';

export interface AuthorsOptions {
  /** Called with every author after each load, so the post form can offer them. */
  onAuthors: (authors: Author[]) => void;
  /** Called after a registration or a forget, so the posts reload. */
  onChange: () => void;
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

export function createAuthorsPanel(root: HTMLElement, options: AuthorsOptions) {
  let authors: Author[] = [];
  /** The author whose export is shown, and the export. */
  let exported: { authorId: string; text: string } | undefined;

  const name = h('input', { name: 'name', type: 'text', autocomplete: 'off', required: true, placeholder: 'Ada Lovelace' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'off', required: true, placeholder: 'ada@example.org' });
  const button = h('button', { type: 'submit' }, 'Register');
  const outcome = h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'command', 'data-command': 'register-author' },
    h('div', { class: 'fields' }, h('label', { class: 'field' }, h('span', {}, 'Name'), name), h('label', { class: 'field' }, h('span', {}, 'Email'), email), button),
    outcome,
  );
  const list = h('ul', { class: 'authors' });
  const message = h('p', { class: 'empty' });
  const exportView = h('div', { class: 'author-export', hidden: true });

  fill(root, h('div', { class: 'panel-head' }, h('h2', {}, 'Authors'), h('span', { class: 'muted' }, 'personal data, sealed')), form, message, list, exportView);

  function showOutcome(kind: 'ok' | 'error' | 'pending', text: string): void {
    outcome.className = `outcome ${kind}`;
    outcome.textContent = text;
  }

  function render(): void {
    message.hidden = authors.length > 0;
    message.textContent = 'No authors yet: register one to write posts.';
    fill(
      list,
      ...authors.map((author) => {
        const erased = 'erased' in author;
        return h(
          'li',
          { 'data-author-id': author.authorId, 'data-erased': erased ? 'true' : null },
          h(
            'div',
            { class: 'who' },
            erased ? h('span', { class: 'badge erased' }, 'erased') : h('strong', { class: 'name' }, author.name),
            erased ? null : h('span', { class: 'muted small-text email' }, author.email),
            h('span', { class: 'muted mono small-text', title: author.authorId }, author.authorId),
          ),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'small', 'data-action': 'export', onclick: () => void showExport(author.authorId) }, 'Export'),
            erased ? null : h('button', { type: 'button', class: 'small danger', 'data-action': 'forget', onclick: () => void forget(author) }, 'Forget'),
          ),
        );
      }),
    );
    exportView.hidden = exported === undefined;
    if (exported !== undefined) {
      fill(
        exportView,
        h('div', { class: 'panel-head' }, h('h3', {}, 'Subject-access export'), h('button', { type: 'button', class: 'link', onclick: () => ((exported = undefined), render()) }, 'close')),
        h('pre', { class: 'json', 'data-author-id': exported.authorId }, exported.text),
      );
    }
  }

  async function load(): Promise<void> {
    try {
      authors = (await api.authors()).items;
      message.classList.remove('error');
    } catch (error) {
      message.classList.add('error');
      message.textContent = errorText(error);
    }
    render();
    options.onAuthors(authors);
  }

  async function showExport(authorId: string): Promise<void> {
    try {
      exported = { authorId, text: formatJson(await api.exportAuthor(authorId)) };
    } catch (error) {
      exported = { authorId, text: errorText(error) };
    }
    render();
  }

  async function forget(author: Author): Promise<void> {
    const who = 'name' in author ? author.name : author.authorId;
    if (!window.confirm(`Forget ${who}? Their name and email are destroyed for good; their posts stay, by "erased".`)) return;
    showOutcome('pending', 'forgetting…');
    try {
      const { receipt } = await api.forgetAuthor(author.authorId);
      showOutcome('ok', `Forgotten · ${receipt.keyIds.length} key(s) destroyed · receipt ${receipt.subjectHash.slice(0, 12)}…`);
      if (exported?.authorId === author.authorId) exported = undefined;
    } catch (error) {
      showOutcome('error', errorText(error));
    }
    await load();
    options.onChange();
  }

  form.addEventListener('submit', (submit) => {
    submit.preventDefault();
    button.disabled = true;
    showOutcome('pending', 'sending…');
    api
      .registerAuthor({ name: name.value, email: email.value })
      .then(async (result) => {
        showOutcome('ok', `AuthorRegistered · #${result.position}`);
        form.reset();
        await load();
        options.onChange();
      })
      .catch((error: unknown) => showOutcome('error', errorText(error)))
      .finally(() => (button.disabled = false));
  });

  return { refresh: load };
}
