// Each projection's checkpoint against the head of the log, and a rebuild button.
// A rebuild runs on the server; the page polls quickly while one runs to show its
// progress, and slowly otherwise to keep the lag current.

import { api, ApiError, type ProjectionStatus, type ProjectionsStatus } from './api.js';
import { fill, h } from './dom.js';
import { formatCount, formatSeconds } from './format.js';

const POLL_IDLE_MS = 3000;
const POLL_REBUILDING_MS = 500;

export interface ProjectionsOptions {
  /** Called with every status read, so the read side can reload when a checkpoint moves. */
  onStatus: (status: ProjectionsStatus) => void;
}

export function createProjectionsPanel(root: HTMLElement, options: ProjectionsOptions) {
  const head = h('span', { class: 'muted mono' });
  const list = h('ul', { class: 'projections' });
  const message = h('p', { class: 'empty' });
  const errors = new Map<string, string>();
  /** Rebuilds asked for here: a fast one may be over before any poll sees it, so say it finished. */
  const asked = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;
  /** Asked for while a read was in flight: that read may predate the reason, so read once more. */
  let again = false;

  fill(root, h('div', { class: 'panel-head' }, h('h2', {}, 'Projections'), head), message, list);

  function progress(projection: ProjectionStatus): HTMLElement | null {
    const rebuild = projection.rebuild;
    if (rebuild === null) return null;
    const share = rebuild.total === 0 ? 1 : rebuild.processed / rebuild.total;
    return h(
      'div',
      { class: 'rebuild' },
      h('progress', { max: 1, value: share, 'aria-label': `${projection.name} rebuild` }),
      h(
        'span',
        { class: 'muted small-text' },
        `${formatCount(rebuild.processed)} / ${formatCount(rebuild.total)} · ${formatCount(Math.round(rebuild.eventsPerSecond))} ev/s · ETA ${formatSeconds(rebuild.etaSeconds)}`,
      ),
    );
  }

  function item(projection: ProjectionStatus): HTMLLIElement {
    const rebuilding = projection.rebuild !== null;
    const button = h('button', { type: 'button', class: 'small', disabled: rebuilding }, rebuilding ? 'Rebuilding…' : 'Rebuild');
    button.addEventListener('click', () => {
      button.disabled = true;
      errors.delete(projection.name);
      api
        .rebuild(projection.name)
        .then(() => asked.add(projection.name))
        .catch((error: unknown) => errors.set(projection.name, error instanceof ApiError ? error.message : String(error)))
        .finally(() => void refresh());
    });
    const problem = projection.error ?? errors.get(projection.name) ?? null;
    const finished = !rebuilding && asked.delete(projection.name) && problem === null;
    return h(
      'li',
      { 'data-projection': projection.name, 'data-state': projection.state },
      h(
        'div',
        { class: 'projection-line' },
        h('strong', { class: 'mono' }, projection.name),
        h('span', { class: `badge state-${projection.state}` }, projection.state),
        h('span', { class: projection.lag > 0 ? 'badge lag-behind' : 'badge lag-none', title: 'Events recorded but not yet applied' }, `lag ${formatCount(projection.lag)}`),
        button,
      ),
      h('div', { class: 'muted small-text' }, `at #${formatCount(projection.position)} · v${projection.version}`),
      progress(projection),
      finished ? h('p', { class: 'outcome ok' }, `Rebuilt from the first event up to #${formatCount(projection.position)}`) : null,
      problem === null ? null : h('p', { class: 'outcome error' }, problem),
    );
  }

  async function refresh(): Promise<ProjectionsStatus | undefined> {
    clearTimeout(timer);
    if (pending) {
      again = true;
      return undefined;
    }
    pending = true;
    again = false;
    let status: ProjectionsStatus | undefined;
    try {
      status = await api.projections();
      head.textContent = `head #${formatCount(status.headPosition)}`;
      message.hidden = status.projections.length > 0;
      message.classList.remove('error');
      message.textContent = 'No projections are running.';
      fill(list, ...status.projections.map(item));
      options.onStatus(status);
    } catch (error) {
      message.hidden = false;
      message.classList.add('error');
      message.textContent = error instanceof ApiError ? error.message : String(error);
    } finally {
      pending = false;
    }
    const busy = again || (status?.projections.some((projection) => projection.rebuild !== null || projection.lag > 0) ?? false);
    timer = setTimeout(() => void refresh(), again ? 0 : busy ? POLL_REBUILDING_MS : POLL_IDLE_MS);
    return status;
  }

  return { refresh };
}
