// The `posts` read model as a table: filter by status and author, a page at a time.
// Paging follows the server's cursor forward; going back replays the cursors already
// seen, so a page never skips or repeats a post added meanwhile.

import { api, ApiError, type PostView } from './api.js';
import { debounce, fill, h } from './dom.js';
import { authorText, formatTime, statusText } from './format.js';

const PAGE_SIZE = 8;

export interface PostsOptions {
  onSelect: (post: PostView) => void;
}

export function createPostsPanel(root: HTMLElement, options: PostsOptions) {
  let selected: string | undefined;
  /** cursors[i] opens page i; page 0 has none. */
  let cursors: (string | null)[] = [null];
  let page = 0;
  let nextCursor: string | null = null;
  let items: PostView[] = [];

  const status = h(
    'select',
    { name: 'status', 'aria-label': 'Status' },
    h('option', { value: '' }, 'All statuses'),
    h('option', { value: 'draft' }, 'Drafts'),
    h('option', { value: 'in_review' }, 'In review'),
    h('option', { value: 'scheduled' }, 'Scheduled'),
    h('option', { value: 'published' }, 'Published'),
  );
  const author = h('input', { name: 'authorId', type: 'search', placeholder: 'Author id', 'aria-label': 'Author id', autocomplete: 'off' });
  const body = h('tbody', {});
  const message = h('p', { class: 'empty' });
  const previous = h('button', { type: 'button', class: 'small' }, '← Previous');
  const next = h('button', { type: 'button', class: 'small' }, 'Next →');
  const pageLabel = h('span', { class: 'muted' });

  fill(
    root,
    h('div', { class: 'panel-head' }, h('h2', {}, 'Posts'), h('span', { class: 'muted' }, 'read model posts'), h('div', { class: 'filters' }, status, author)),
    h(
      'table',
      { class: 'posts' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Title'), h('th', {}, 'Author'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Version'), h('th', {}, 'Created'), h('th', {}, 'Published'))),
      body,
    ),
    message,
    h('div', { class: 'pager' }, previous, pageLabel, next),
  );

  function render(): void {
    fill(
      body,
      ...items.map((post) =>
        h(
          'tr',
          {
            'data-post-id': post.postId,
            'data-status': post.status,
            class: post.postId === selected ? 'selected' : null,
            tabindex: 0,
            onclick: () => options.onSelect(post),
            onkeydown: (event: Event) => {
              if ((event as KeyboardEvent).key === 'Enter') options.onSelect(post);
            },
          },
          h('td', {}, h('div', { class: 'title' }, post.title), h('div', { class: 'muted mono small-text post-id', title: post.postId }, post.postId)),
          h('td', { class: 'erased' in post.author ? 'author erased' : 'author', title: post.authorId }, authorText(post.author)),
          h('td', {}, h('span', { class: `badge status-${post.status}` }, statusText(post.status))),
          h('td', { class: 'num mono' }, post.version),
          h('td', { class: 'muted' }, formatTime(post.createdAt)),
          h('td', { class: 'muted' }, formatTime(post.publishedAt)),
        ),
      ),
    );
    previous.disabled = page === 0;
    next.disabled = nextCursor === null;
    pageLabel.textContent = `page ${page + 1}`;
  }

  async function load(): Promise<void> {
    try {
      const result = await api.posts({ status: status.value, authorId: author.value.trim(), limit: PAGE_SIZE, cursor: cursors[page] });
      items = result.items;
      nextCursor = result.nextCursor;
      message.hidden = items.length > 0;
      message.classList.remove('error');
      message.textContent = page === 0 ? 'No posts match. Create one with the form on the left.' : 'No more posts.';
    } catch (error) {
      items = [];
      nextCursor = null;
      message.hidden = false;
      message.classList.add('error');
      message.textContent = error instanceof ApiError ? error.message : String(error);
    }
    render();
  }

  function firstPage(): void {
    cursors = [null];
    page = 0;
    void load();
  }

  status.addEventListener('change', firstPage);
  author.addEventListener('input', debounce(firstPage, 250));
  previous.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    void load();
  });
  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors[page + 1] = nextCursor;
    page += 1;
    void load();
  });

  return {
    /** Reloads the current page. */
    refresh: load,
    setSelected(postId: string | undefined): void {
      selected = postId;
      render();
    },
  };
}
