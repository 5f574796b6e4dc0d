// The live timeline: every event the store records, newest on top, each one
// expandable to its JSON. Events arrive over Server-Sent Events from just after the
// last position the page holds; on a dropped connection the browser reconnects by
// itself and sends Last-Event-ID, so the feed resumes where it stopped. Rows are
// keyed by position, so an event that arrives twice shows once.

import { api, LIVE_EVENTS_URL, type RecordedEvent } from './api.js';
import { h, fill } from './dom.js';
import { formatCount, formatJson, formatTime } from './format.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface TimelineOptions {
  indicator: HTMLElement;
  onEvent: (event: RecordedEvent) => void;
  onSelectStream: (streamId: string) => void;
}

/** Enough to follow what is happening; older rows are dropped from the page, not the store. */
const MAX_ROWS = 200;
const INITIAL_ROWS = 50;

export function createTimeline(root: HTMLElement, options: TimelineOptions) {
  const rows = new Map<number, HTMLLIElement>();
  let lastPosition = 0;
  let source: EventSource | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelay = 1000;

  const count = h('span', { class: 'muted' }, 'no events yet');
  const list = h('ol', { class: 'timeline', 'aria-live': 'polite' });
  const empty = h('p', { class: 'empty' }, 'Waiting for events. Create a post to write the first one.');
  fill(root, h('div', { class: 'panel-head' }, h('h2', {}, 'Timeline'), count), empty, list);

  function setState(state: ConnectionState): void {
    options.indicator.dataset.state = state;
    options.indicator.textContent = state;
    options.indicator.title = state === 'live' ? 'Receiving events as they are recorded' : 'The live feed is down; trying again';
  }

  function row(event: RecordedEvent): HTMLLIElement {
    const stream = h('button', { type: 'button', class: 'link mono', title: 'Show this stream' }, event.streamId);
    stream.addEventListener('click', (click) => {
      // A button inside <summary> would also toggle the details; the click is for the stream.
      click.preventDefault();
      options.onSelectStream(event.streamId);
    });
    return h(
      'li',
      { class: 'event fresh', 'data-position': event.position, 'data-type': event.type },
      h(
        'details',
        {},
        h(
          'summary',
          {},
          h('span', { class: 'position mono' }, `#${event.position}`),
          h('span', { class: `type type-${event.type}` }, event.type),
          h('span', { class: 'event-stream' }, stream, h('span', { class: 'muted mono' }, ` v${event.version}`)),
          h('time', { class: 'muted', datetime: event.recordedAt }, formatTime(event.recordedAt)),
        ),
        h('pre', { class: 'json' }, formatJson(event)),
      ),
    );
  }

  function add(event: RecordedEvent, notify: boolean): void {
    if (rows.has(event.position)) return;
    const element = row(event);
    // Newest on top: insert before the first row with a smaller position.
    const before = [...list.children].find((child) => Number((child as HTMLElement).dataset.position) < event.position) ?? null;
    list.insertBefore(element, before);
    rows.set(event.position, element);
    setTimeout(() => element.classList.remove('fresh'), 1500);
    lastPosition = Math.max(lastPosition, event.position);

    while (rows.size > MAX_ROWS) {
      const oldest = Math.min(...rows.keys());
      rows.get(oldest)?.remove();
      rows.delete(oldest);
    }
    empty.hidden = true;
    count.textContent = `latest #${formatCount(lastPosition)}`;
    if (notify) options.onEvent(event);
  }

  /** The last few events already in the store, so the page does not open empty. */
  async function loadRecent(): Promise<void> {
    const { headPosition } = await api.projections();
    lastPosition = headPosition;
    const page = await api.events({ after: Math.max(0, headPosition - INITIAL_ROWS), limit: INITIAL_ROWS });
    for (const event of page.events) add(event, false);
  }

  function connect(): void {
    source?.close();
    // `after` matters for the first connection and for ours after a give-up; the
    // browser's own reconnections send Last-Event-ID, which the server prefers.
    // Without a position (the first load failed) the server starts at its head.
    const current = new EventSource(lastPosition > 0 ? `${LIVE_EVENTS_URL}?after=${lastPosition}` : LIVE_EVENTS_URL);
    source = current;
    current.onopen = () => {
      retryDelay = 1000;
      setState('live');
    };
    current.onmessage = (message: MessageEvent<string>) => {
      try {
        add(JSON.parse(message.data) as RecordedEvent, true);
      } catch {
        // Not an event (a comment or a keep-alive): nothing to show.
      }
    };
    current.onerror = () => {
      setState('reconnecting');
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (an HTTP error
      // rather than a dropped connection), so try again ourselves, backing off.
      if (current.readyState === EventSource.CLOSED) {
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 15000);
      }
    };
  }

  return {
    async start(): Promise<void> {
      setState('connecting');
      await loadRecent().catch(() => {});
      connect();
    },
  };
}
