// The review workflow's instances: each with its status, and the selected one's story
// as its stream tells it: its steps (inputs in, outputs out, in order), its timers
// (due, fired or cancelled), its state, and a parked instance's error with a retry.

import { api, ApiError, type WorkflowDetail, type WorkflowSummary } from './api.js';
import { fill, h } from './dom.js';
import { formatJson, formatRelative, formatTime, statusText } from './format.js';

const POLL_MS = 3000;
const STATUSES = ['running', 'parked', 'compensating', 'completed', 'failed', 'compensated'];

export interface WorkflowsOptions {
  /** Called when an instance is picked here, with its stream id. */
  onSelect: (streamId: string) => void;
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

export function createWorkflowsPanel(root: HTMLElement, options: WorkflowsOptions) {
  let selected: string | undefined;
  let items: WorkflowSummary[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loadToken = 0;

  const counts = h('span', { class: 'muted small-text' });
  const status = h(
    'select',
    { name: 'workflowStatus', 'aria-label': 'Instance status' },
    h('option', { value: '' }, 'All'),
    ...STATUSES.map((s) => h('option', { value: s }, statusText(s))),
  );
  const list = h('ul', { class: 'workflows' });
  const message = h('p', { class: 'empty' });
  const detail = h('div', { class: 'workflow-detail', hidden: true });

  fill(root, h('div', { class: 'panel-head' }, h('h2', {}, 'Workflows'), counts, h('div', { class: 'filters' }, status)), message, list, detail);

  function renderList(): void {
    fill(
      list,
      ...items.map((item) =>
        h(
          'li',
          { 'data-stream-id': item.streamId, 'data-status': item.status, class: item.streamId === selected ? 'selected' : null },
          h(
            'button',
            { type: 'button', onclick: () => pick(item.streamId) },
            h('span', { class: 'mono', title: item.streamId }, item.streamId),
            h('span', { class: `badge wf-${item.status}` }, statusText(item.status)),
          ),
        ),
      ),
    );
  }

  function steps(instance: WorkflowDetail): HTMLElement {
    const inputs = instance.inputs.map((step) => ({ ...step, kind: 'input', note: step.status === 'decided' ? '' : step.status }));
    const outputs = instance.outputs.map((step) => ({ ...step, kind: 'output', note: '' }));
    const all = [...inputs, ...outputs].sort((a, b) => a.version - b.version);
    return h(
      'ol',
      { class: 'steps' },
      ...all.map((step) =>
        h(
          'li',
          { 'data-kind': step.kind, 'data-type': step.type, title: formatJson(step.data) },
          h('span', { class: 'mono muted' }, `v${step.version}`),
          h('span', { class: `type type-${step.type}` }, step.type),
          h('span', { class: 'muted small-text' }, step.note || formatTime(step.recordedAt)),
        ),
      ),
    );
  }

  function timers(instance: WorkflowDetail): HTMLElement {
    if (instance.timers.length === 0) return h('p', { class: 'muted small-text' }, 'No timers.');
    return h(
      'ul',
      { class: 'timers' },
      ...instance.timers.map((t) =>
        h(
          'li',
          { 'data-timer': t.name, 'data-state': t.state },
          h('span', {}, h('strong', { class: 'mono' }, t.name), ' due ', h('time', { datetime: t.dueAt, title: t.dueAt }, formatTime(t.dueAt)), t.state === 'scheduled' ? ` (${formatRelative(t.dueAt)})` : ''),
          h('span', { class: `badge timer-${t.state}` }, t.state),
          h('span', { class: 'muted small-text' }, t.state === 'fired' && t.latenessMs !== null ? `${t.latenessMs} ms late` : ''),
        ),
      ),
    );
  }

  function renderDetail(instance: WorkflowDetail): void {
    const retry = h('button', { type: 'button', class: 'small' }, 'Retry');
    const retryOutcome = h('p', { class: 'outcome', role: 'status' });
    retry.addEventListener('click', () => {
      retry.disabled = true;
      api
        .retryWorkflow(instance.streamId)
        .then(() => {
          retryOutcome.className = 'outcome ok';
          retryOutcome.textContent = 'Retried: its waiting inputs are taken again.';
        })
        .catch((error: unknown) => {
          retryOutcome.className = 'outcome error';
          retryOutcome.textContent = errorText(error);
        })
        .finally(() => void refresh());
    });
    detail.hidden = false;
    detail.dataset.streamId = instance.streamId;
    detail.dataset.status = instance.status;
    fill(
      detail,
      h(
        'div',
        { class: 'projection-line' },
        h('strong', { class: 'mono', title: instance.streamId }, instance.instanceId),
        h('span', { class: `badge wf-${instance.status}` }, statusText(instance.status)),
        h('span', { class: 'muted small-text' }, instance.version === null ? '' : `${instance.workflow} v${instance.version}`),
      ),
      instance.error === null ? null : h('div', { class: 'parked' }, h('p', { class: 'outcome error' }, instance.error), retry, retryOutcome),
      instance.reason === null ? null : h('p', { class: 'muted small-text' }, `Reason: ${instance.reason}`),
      h('h3', {}, 'Steps'),
      steps(instance),
      h('h3', {}, 'Timers'),
      timers(instance),
      h('h3', {}, 'State'),
      h('pre', { class: 'json state' }, formatJson(instance.state)),
    );
  }

  async function loadDetail(): Promise<void> {
    const token = ++loadToken;
    if (selected === undefined) {
      detail.hidden = true;
      return;
    }
    try {
      const instance = await api.workflow(selected);
      if (token === loadToken) renderDetail(instance);
    } catch (error) {
      if (token !== loadToken) return;
      // A post that was never submitted has no review: nothing to show.
      if (error instanceof ApiError && error.status === 404) {
        detail.hidden = true;
        return;
      }
      detail.hidden = false;
      fill(detail, h('p', { class: 'outcome error' }, errorText(error)));
    }
  }

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    try {
      const result = await api.workflows({ status: status.value, limit: 100 });
      items = result.items;
      counts.textContent = Object.entries(result.counts).map(([s, n]) => `${n} ${statusText(s)}`).join(' · ');
      message.hidden = items.length > 0;
      message.classList.remove('error');
      message.textContent = 'No instances. Submit a post for review to start one.';
    } catch (error) {
      items = [];
      message.hidden = false;
      message.classList.add('error');
      message.textContent = errorText(error);
    }
    renderList();
    await loadDetail();
    timer = setTimeout(() => void refresh(), POLL_MS);
  }

  function pick(streamId: string): void {
    selected = streamId;
    renderList();
    void loadDetail();
    options.onSelect(streamId);
  }

  status.addEventListener('change', () => void refresh());

  return {
    refresh,
    /** Shows this instance's story, if it exists (a post's review: workflow-review-<postId>). */
    show(streamId: string): void {
      if (streamId === selected) return;
      selected = streamId;
      renderList();
      void loadDetail();
    },
  };
}
