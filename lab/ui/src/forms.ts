// The blog's commands as forms: the four of a post's own life, and the review's
// (submit a draft for review; approve it, at once or at a time, or reject it with a
// reason). Each form shows its own outcome beside it: the event(s) written, or the
// server's reason for refusing (a broken rule, a version conflict, bad input), so a
// refused command is read where it was given.

import { api, ApiError, type Author, type CommandResult } from './api.js';
import { fill, h } from './dom.js';

export type CommandName = 'create' | 'edit' | 'publish' | 'unpublish' | 'submit' | 'approve' | 'reject';

export interface FormsOptions {
  onDone: (command: CommandName, result: CommandResult) => void;
}

type Fields = Record<string, string>;

interface CommandSpec {
  name: CommandName;
  title: string;
  submit: string;
  fields: HTMLElement[];
  send: (fields: Fields, expectedVersion: number | undefined) => Promise<CommandResult>;
}

function field(label: string, input: HTMLElement, wide = false): HTMLElement {
  return h('label', { class: wide ? 'field wide' : 'field' }, h('span', {}, label), input);
}

const text = (name: string, attrs: Record<string, string | boolean> = {}) => h('input', { name, type: 'text', autocomplete: 'off', ...attrs });
const postIdInput = () => text('postId', { required: true, placeholder: 'select a post', class: 'mono' });
/** The expected version: the command is refused unless the post is at exactly this version. */
const expectedInput = () =>
  h('input', { name: 'expectedVersion', type: 'number', min: 0, step: 1, placeholder: 'any', class: 'mono', title: 'Expected version: refuse unless the post is at this version' });

/**
 * The time to publish at, in this browser's time zone, to the second; blank publishes
 * at once. Sent as an ISO time with its zone, as the blog wants it.
 */
const publishAtInput = () => h('input', { name: 'publishAt', type: 'datetime-local', step: 1, title: 'Publish at this time (blank: at once)' });

function isoTime(local: string | undefined): string | undefined {
  if (local === undefined || local.trim() === '') return undefined;
  const time = new Date(local);
  // Not a time: sent as typed, for the server to name the field.
  return Number.isNaN(time.getTime()) ? local : time.toISOString();
}

/** Blank fields are left out, so an edit changes only what was typed. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function required(fields: Fields, name: string): string {
  return fields[name] ?? '';
}

/** A refusal that names a field (`details.field`) marks that field, when the form has it. */
function markField(form: HTMLFormElement, error: unknown): void {
  const field = error instanceof ApiError ? (error.details as { field?: unknown } | undefined)?.field : undefined;
  if (typeof field !== 'string') return;
  const input = form.querySelector<HTMLElement>(`[name="${CSS.escape(field)}"]`);
  input?.setAttribute('aria-invalid', 'true');
}

export function createForms(root: HTMLElement, options: FormsOptions) {
  /** A post is written by a registered author: picked from those not forgotten. */
  const authorSelect = h('select', { name: 'authorId', required: true }, h('option', { value: '' }, 'register an author first'));
  const specs: CommandSpec[] = [
    {
      name: 'create',
      title: 'Create a post',
      submit: 'Create',
      fields: [
        field('Title', text('title', { required: true, placeholder: 'Hello, events' }), true),
        field('Body', h('textarea', { name: 'body', rows: 2, placeholder: 'What happened…' }), true),
        field('Author', authorSelect),
        field('Post id', text('postId', { placeholder: 'generated', class: 'mono' })),
        field('At version', expectedInput()),
      ],
      send: (f, expectedVersion) =>
        api.createPost({ title: required(f, 'title'), body: required(f, 'body'), authorId: required(f, 'authorId'), postId: present(f.postId), expectedVersion }),
    },
    {
      name: 'edit',
      title: 'Edit',
      submit: 'Edit',
      fields: [
        field('Post id', postIdInput()),
        field('At version', expectedInput()),
        field('New title', text('title', { placeholder: 'unchanged' }), true),
        field('New body', h('textarea', { name: 'body', rows: 2, placeholder: 'unchanged' }), true),
      ],
      send: (f, expectedVersion) => api.editPost(required(f, 'postId'), { title: present(f.title), body: present(f.body), expectedVersion }),
    },
    {
      name: 'publish',
      title: 'Publish',
      submit: 'Publish',
      fields: [field('Post id', postIdInput()), field('At version', expectedInput())],
      send: (f, expectedVersion) => api.publishPost(required(f, 'postId'), { expectedVersion }),
    },
    {
      name: 'unpublish',
      title: 'Unpublish',
      submit: 'Unpublish',
      fields: [field('Post id', postIdInput()), field('At version', expectedInput())],
      send: (f, expectedVersion) => api.unpublishPost(required(f, 'postId'), { expectedVersion }),
    },
    {
      name: 'submit',
      title: 'Submit for review',
      submit: 'Submit',
      fields: [field('Post id', postIdInput()), field('At version', expectedInput())],
      send: (f, expectedVersion) => api.submitPost(required(f, 'postId'), { expectedVersion }),
    },
    {
      name: 'approve',
      title: 'Approve',
      submit: 'Approve',
      fields: [field('Post id', postIdInput()), field('At version', expectedInput()), field('Publish at (blank: now)', publishAtInput(), true)],
      send: (f, expectedVersion) => api.reviewPost(required(f, 'postId'), { decision: 'approve', publishAt: isoTime(f.publishAt), expectedVersion }),
    },
    {
      name: 'reject',
      title: 'Reject',
      submit: 'Reject',
      fields: [field('Post id', postIdInput()), field('At version', expectedInput()), field('Reason', text('reason', { placeholder: 'why it goes back to draft' }), true)],
      send: (f, expectedVersion) => api.reviewPost(required(f, 'postId'), { decision: 'reject', reason: required(f, 'reason'), expectedVersion }),
    },
  ];

  const forms = specs.map((spec) => {
    const outcome = h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
    const button = h('button', { type: 'submit', class: spec.name === 'create' ? 'primary' : null }, spec.submit);
    const form = h('form', { class: 'command', 'data-command': spec.name }, h('h3', {}, spec.title), h('div', { class: spec.fields.length === 2 ? 'fields compact' : 'fields' }, ...spec.fields, button), outcome);

    form.addEventListener('input', (event) => (event.target as HTMLElement).removeAttribute('aria-invalid'));
    form.addEventListener('submit', (submit) => {
      submit.preventDefault();
      form.querySelectorAll('[aria-invalid]').forEach((input) => input.removeAttribute('aria-invalid'));
      const fields = Object.fromEntries([...new FormData(form)].map(([name, value]) => [name, String(value)]));
      const expected = present(fields.expectedVersion);
      button.disabled = true;
      outcome.className = 'outcome pending';
      outcome.textContent = 'sending…';
      spec
        .send(fields, expected === undefined ? undefined : Number(expected))
        .then((result) => {
          outcome.className = 'outcome ok';
          outcome.textContent = `${result.events.map((event) => event.type).join(', ') || 'No new event'} · now v${result.version} · #${result.position}`;
          if (spec.name === 'create') form.reset();
          else form.querySelectorAll<HTMLInputElement>('input[name="expectedVersion"], input[name="title"], input[name="reason"], input[name="publishAt"], textarea').forEach((input) => (input.value = ''));
          options.onDone(spec.name, result);
        })
        .catch((error: unknown) => {
          outcome.className = 'outcome error';
          if (error instanceof ApiError) fill(outcome, h('strong', {}, error.message), h('span', { class: 'code' }, error.status === 0 ? error.code : `${error.status} ${error.code}`));
          else outcome.textContent = String(error);
          markField(form, error);
        })
        .finally(() => (button.disabled = false));
    });
    return form;
  });

  root.append(...forms);

  return {
    /** The authors the create form offers: those not forgotten, the one picked kept when still there. */
    setAuthors(authors: Author[]): void {
      const picked = authorSelect.value;
      const active = authors.flatMap((author) => ('name' in author ? [author] : []));
      fill(
        authorSelect,
        ...(active.length === 0 ? [h('option', { value: '' }, 'register an author first')] : []),
        ...active.map((author) => h('option', { value: author.authorId }, author.name)),
      );
      if (active.some((author) => author.authorId === picked)) authorSelect.value = picked;
    },
    /** Points every form but create at a post. */
    usePost(postId: string): void {
      for (const form of forms) {
        if (form.dataset.command === 'create') continue;
        const input = form.querySelector<HTMLInputElement>('input[name="postId"]');
        if (input === null || input.value === postId) continue;
        input.value = postId;
        // An outcome about another post would now read as if it were about this one.
        const outcome = form.querySelector('.outcome');
        if (outcome !== null) {
          outcome.className = 'outcome';
          outcome.textContent = '';
        }
      }
    },
  };
}
