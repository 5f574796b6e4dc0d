// The selected stream: its events in version order and, when the stream is a post,
// the post as the read model shows it, its snapshot, and its state as of any earlier
// version (folded by the server from the stream's first N events).

import { api, ApiError, type PostView, type RecordedEvent, type SnapshotInfo, type StreamEvents } from './api.js';
import { debounce, fill, h } from './dom.js';
import { authorText, formatJson, formatTime, postIdOfStream, statusText } from './format.js';

const STREAM_TAIL = 100;

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/** The stream's last STREAM_TAIL events: a page from the start, then the tail if the stream is longer. */
async function latestEvents(streamId: string): Promise<StreamEvents> {
  const first = await api.stream(streamId, { limit: STREAM_TAIL });
  if (first.version <= STREAM_TAIL) return first;
  return api.stream(streamId, { fromVersion: first.version - STREAM_TAIL + 1, limit: STREAM_TAIL });
}

export function createPostDetail(root: HTMLElement) {
  let streamId: string | undefined;
  /** The version the slider shows; undefined follows the latest. */
  let pinnedVersion: number | undefined;
  let events: RecordedEvent[] = [];
  let loadToken = 0;

  const title = h('h2', {}, 'Stream');
  const subtitle = h('span', { class: 'muted mono' });
  const summary = h('div', { class: 'post-summary' });
  const eventList = h('ol', { class: 'stream-events' });
  const snapshot = h('div', { class: 'snapshot' });
  const slider = h('input', { type: 'range', min: 1, max: 1, value: 1, name: 'version', 'aria-label': 'Version' });
  const versionLabel = h('span', { class: 'mono' });
  const versionCause = h('span', { class: 'muted small-text' });
  const state = h('pre', { class: 'json state' });
  const history = h(
    'section',
    { class: 'history' },
    h('h3', {}, 'As of version'),
    h('div', { class: 'slider' }, slider, versionLabel),
    versionCause,
    state,
  );
  const postSide = h('div', { class: 'post-side' }, h('section', {}, h('h3', {}, 'Snapshot'), snapshot), history);
  const body = h('div', { class: 'detail-body' }, h('section', { class: 'stream' }, h('h3', {}, 'Events in the stream'), eventList), postSide);
  const placeholder = h('p', { class: 'empty' }, 'Select a post, or an event’s stream in the timeline, to see its events, snapshot and history.');

  fill(root, h('div', { class: 'panel-head' }, title, subtitle), placeholder, summary, body);

  function showEmpty(): void {
    title.textContent = 'Stream';
    subtitle.textContent = '';
    placeholder.hidden = false;
    summary.hidden = true;
    body.hidden = true;
  }

  function renderPost(post: PostView | undefined): void {
    summary.hidden = post === undefined;
    if (post === undefined) return;
    title.textContent = post.title;
    fill(
      summary,
      h('span', { class: `badge status-${post.status}` }, statusText(post.status)),
      h('span', {}, 'by ', h('strong', { class: 'erased' in post.author ? 'author erased' : 'author', title: post.authorId }, authorText(post.author))),
      h('span', { class: 'muted' }, `v${post.version}`),
      h('span', { class: 'muted' }, `created ${formatTime(post.createdAt)}`),
      post.publishedAt === null ? null : h('span', { class: 'muted' }, `published ${formatTime(post.publishedAt)}`),
    );
  }

  function renderEvents(): void {
    fill(
      eventList,
      ...events.map((event) =>
        h(
          'li',
          { 'data-version': event.version },
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'mono version' }, `v${event.version}`),
              h('span', { class: `type type-${event.type}` }, event.type),
              h('span', { class: 'muted mono' }, `#${event.position}`),
              h('time', { class: 'muted', datetime: event.recordedAt }, formatTime(event.recordedAt)),
            ),
            h('pre', { class: 'json' }, formatJson(event)),
          ),
        ),
      ),
    );
  }

  function renderSnapshot(info: SnapshotInfo | string): void {
    if (typeof info === 'string') {
      fill(snapshot, h('p', { class: 'outcome error' }, info));
      return;
    }
    const taken = info.snapshot;
    fill(
      snapshot,
      taken === null
        ? h('p', { class: 'muted' }, `No snapshot yet; loading folds all ${info.streamVersion} events.`)
        : h(
            'dl',
            {},
            h('dt', {}, 'at version'),
            h('dd', { class: 'mono' }, `${taken.version} of ${info.streamVersion}`),
            h('dt', {}, 'schema'),
            h('dd', { class: 'mono' }, `v${taken.schemaVersion}`),
            h('dt', {}, 'taken'),
            h('dd', {}, formatTime(taken.takenAt)),
            h('dt', {}, 'to replay'),
            h('dd', {}, `${info.streamVersion - taken.version} event(s)`),
          ),
    );
  }

  async function loadHistory(): Promise<void> {
    const postId = streamId === undefined ? undefined : postIdOfStream(streamId);
    const version = Number(slider.value);
    const max = Number(slider.max);
    versionLabel.textContent = `${version} of ${max}`;
    const cause = events.find((event) => event.version === version);
    versionCause.textContent = cause === undefined ? '' : `after ${cause.type} at ${formatTime(cause.recordedAt)}`;
    if (postId === undefined || version < 1) return;
    try {
      const entry = await api.history(postId, version);
      if (Number(slider.value) === version) state.textContent = formatJson(entry.state);
    } catch (error) {
      state.textContent = errorText(error);
    }
  }

  const loadHistorySoon = debounce(() => void loadHistory(), 120);
  slider.addEventListener('input', () => {
    pinnedVersion = Number(slider.value) === Number(slider.max) ? undefined : Number(slider.value);
    versionLabel.textContent = `${slider.value} of ${slider.max}`;
    loadHistorySoon();
  });

  async function load(): Promise<void> {
    if (streamId === undefined) return showEmpty();
    const token = ++loadToken;
    const current = streamId;
    const postId = postIdOfStream(current);
    placeholder.hidden = true;
    body.hidden = false;
    subtitle.textContent = current;
    postSide.hidden = postId === undefined;

    const [stream, post, snap] = await Promise.all([
      latestEvents(current).catch((error: unknown) => errorText(error)),
      postId === undefined ? undefined : api.post(postId).catch(() => undefined),
      postId === undefined ? undefined : api.snapshot(postId).catch((error: unknown) => errorText(error)),
    ]);
    // A newer selection won the race; its own load will render.
    if (token !== loadToken) return;

    if (typeof stream === 'string') {
      events = [];
      fill(eventList, h('li', { class: 'outcome error' }, stream));
    } else {
      events = stream.events;
      renderEvents();
    }
    if (post === undefined) title.textContent = current;
    renderPost(post);
    if (snap !== undefined) renderSnapshot(snap);

    const latest = typeof stream === 'string' ? (post?.version ?? 0) : stream.version;
    slider.max = String(Math.max(1, latest));
    slider.value = String(pinnedVersion ?? latest);
    slider.disabled = latest <= 1;
    await loadHistory();
  }

  showEmpty();

  return {
    show(next: string | undefined): void {
      if (next !== streamId) pinnedVersion = undefined;
      streamId = next;
      void load();
    },
    refresh: load,
    current: () => streamId,
  };
}
