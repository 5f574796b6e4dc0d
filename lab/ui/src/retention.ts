// Retention: the blog's policies, a dry run showing what a prune would remove (per
// policy and stream) and whom it would leave behind, a prune after a confirm (forced past
// stranded consumers only when asked), and the runs the `$retention` stream records.

import { api, ApiError, type PrunePlan, type RetentionPolicies, type RetentionRecord } from './api.js';
import { fill, h } from './dom.js';
import { formatBytes, formatCount, formatTime } from './format.js';

type Policy = RetentionPolicies['policies'][number];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Called after a prune, so the parts showing streams reload. */
  onChange: () => void;
}

function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/** "when its state passes · keeps the newest 50 · compacts (state v1)". */
function rulesText(policy: Policy): string {
  const rules = [
    policy.when ? 'when its state passes' : null,
    policy.maxAge === null ? null : `older than ${formatCount(Math.round(policy.maxAge / DAY_MS))} days`,
    policy.maxCount === null ? null : `keeps the newest ${formatCount(policy.maxCount)}`,
    policy.truncateBefore === null ? null : `versions before ${policy.truncateBefore}`,
    policy.fold === null ? 'removes closed streams whole' : `compacts (state v${policy.fold.stateSchemaVersion})`,
  ];
  return rules.filter((rule) => rule !== null).join(' · ');
}

const consumerText = (c: { kind: string; name: string; position: number }) => `${c.kind} ${c.name} at #${formatCount(c.position)}`;

/** A plan: what a dry run would remove, or what a run set out to remove. */
function planView(plan: PrunePlan, ran: boolean): HTMLElement {
  const streams = formatCount(plan.streams.length + plan.omittedStreams);
  const summary =
    plan.events === 0 ? 'Nothing to prune.' : `${formatCount(plan.events)} event(s), ${formatBytes(plan.bytes)}, ${ran ? 'planned' : 'would go'} from ${streams} stream(s)`;
  const stranded =
    plan.stranded.length === 0
      ? h('p', { class: 'outcome ok stranded-none' }, `No consumer left behind (${plan.consumers.length} registered).`)
      : h(
          'div',
          { class: 'outcome error stranded' },
          'Would strand: ',
          h('ul', {}, ...plan.stranded.map((c) => h('li', { 'data-consumer': `${c.kind} ${c.name}` }, consumerText(c)))),
          'A prune refuses unless forced.',
        );
  return h(
    'div',
    { class: 'retention-plan', 'data-events': plan.events },
    h('div', { class: 'panel-head' }, h('h3', {}, ran ? 'What the run planned' : 'What would go'), h('span', { class: 'muted small-text' }, `judged at ${formatTime(plan.now)}`)),
    h('p', { class: 'plan-summary' }, summary),
    h('ul', { class: 'plan-policies' }, ...plan.policies.map((p) => h('li', { 'data-policy': p.policy }, h('strong', {}, p.policy), ` · ${p.streams} stream(s) · ${formatCount(p.events)} event(s) · ${formatBytes(p.bytes)}`))),
    plan.streams.length === 0
      ? null
      : h(
          'table',
          { class: 'posts plan-streams' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Stream'), h('th', {}, 'Policy'), h('th', {}, 'Action'), h('th', {}, 'Versions'), h('th', { class: 'num' }, 'Events'), h('th', { class: 'num' }, 'Bytes'))),
          h(
            'tbody',
            {},
            ...plan.streams.map((s) =>
              h(
                'tr',
                { 'data-stream-id': s.streamId, 'data-action': s.action },
                h('td', { class: 'mono' }, s.streamId),
                h('td', {}, s.policy),
                h('td', {}, h('span', { class: `badge action-${s.action}` }, s.action === 'remove' ? 'removed whole' : 'compacted')),
                h('td', { class: 'mono' }, `${s.fromVersion}–${s.upToVersion} of ${s.version}`),
                h('td', { class: 'num' }, formatCount(s.events)),
                h('td', { class: 'num' }, formatBytes(s.bytes)),
              ),
            ),
          ),
        ),
    plan.omittedStreams > 0 ? h('p', { class: 'muted small-text' }, `and ${formatCount(plan.omittedStreams)} more stream(s)`) : null,
    stranded,
    plan.notRebuildableFromZero.length === 0
      ? null
      : h('p', { class: 'muted small-text' }, `No longer rebuildable from position 0 after it: ${plan.notRebuildableFromZero.join(', ')}`),
  );
}

function runItem(record: RetentionRecord): HTMLLIElement {
  if (record.type === 'RetentionRestored') {
    return h(
      'li',
      { 'data-run': record.run, 'data-type': record.type },
      h('div', { class: 'run-line' }, h('span', { class: 'badge restored' }, 'restored'), h('strong', { class: 'mono' }, record.run), h('span', { class: 'muted small-text' }, formatTime(record.recordedAt))),
      h('div', { class: 'small-text' }, `${formatCount(record.events)} event(s) put back from `, h('span', { class: 'mono' }, record.archive)),
    );
  }
  return h(
    'li',
    { 'data-run': record.run, 'data-type': record.type },
    h(
      'div',
      { class: 'run-line' },
      h('strong', { class: 'mono' }, record.run),
      record.forced.length > 0 ? h('span', { class: 'badge forced', title: record.forced.join(', ') }, 'forced') : null,
      record.resumed ? h('span', { class: 'badge' }, 'resumed') : null,
      h('span', { class: 'muted small-text' }, formatTime(record.recordedAt)),
    ),
    h('div', { class: 'small-text run-what' }, `${record.policy.join(', ')} · ${formatCount(record.streams)} stream(s) · ${formatCount(record.events)} event(s)`),
    h('div', { class: 'small-text' }, 'archive ', h('span', { class: 'mono' }, record.archive)),
    h('div', { class: 'small-text run-bytes' }, `${formatBytes(record.bytesBefore)} → ${formatBytes(record.bytesAfter)}`, record.measured ? null : h('span', { class: 'muted' }, ' (estimated)')),
  );
}

export function createRetentionPanel(root: HTMLElement, options: RetentionOptions) {
  let settings: RetentionPolicies | undefined;
  const archive = h('span', { class: 'muted small-text mono' });
  const policies = h('ul', { class: 'retention-policies' });
  const dryRun = h('button', { type: 'button', 'data-action': 'dry-run' }, 'Dry run');
  const prune = h('button', { type: 'button', class: 'danger', 'data-action': 'prune' }, 'Prune…');
  const force = h('input', { type: 'checkbox', name: 'force' });
  const outcome = h('p', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const plan = h('div', { class: 'retention-plan-slot' });
  const runs = h('ul', { class: 'retention-runs' });
  const runsMessage = h('p', { class: 'empty' });

  fill(
    root,
    h('div', { class: 'panel-head' }, h('h2', {}, 'Retention'), archive),
    policies,
    h('div', { class: 'retention-actions' }, dryRun, prune, h('label', { class: 'muted small-text', title: 'Prune past consumers that have not processed the events' }, force, ' force past stranded consumers')),
    outcome,
    plan,
    h('h3', { class: 'runs-title' }, 'Runs'),
    runsMessage,
    runs,
  );

  function showOutcome(kind: 'ok' | 'error' | 'pending', text: string): void {
    outcome.className = `outcome ${kind}`;
    outcome.textContent = text;
  }

  async function loadPolicies(): Promise<void> {
    try {
      settings = await api.retentionPolicies();
      archive.textContent = `archives in ${settings.archiveDir}`;
      fill(policies, ...settings.policies.map((p) => h('li', { 'data-policy': p.name }, h('strong', {}, p.name), h('span', { class: 'badge' }, p.category), h('div', { class: 'muted small-text' }, rulesText(p)))));
    } catch (error) {
      fill(policies, h('li', { class: 'error' }, errorText(error)));
    }
  }

  async function loadRuns(): Promise<void> {
    try {
      const { items } = await api.retentionRuns({ limit: 20 });
      runsMessage.hidden = items.length > 0;
      runsMessage.classList.remove('error');
      runsMessage.textContent = 'No prune has run yet.';
      fill(runs, ...items.map(runItem));
    } catch (error) {
      runsMessage.hidden = false;
      runsMessage.classList.add('error');
      runsMessage.textContent = errorText(error);
    }
  }

  function busy(on: boolean): void {
    dryRun.disabled = on;
    prune.disabled = on;
  }

  dryRun.addEventListener('click', () => {
    busy(true);
    showOutcome('pending', 'planning…');
    api
      .dryRun()
      .then((result) => {
        showOutcome('ok', 'Dry run: nothing was written.');
        fill(plan, planView(result, false));
      })
      .catch((error: unknown) => showOutcome('error', errorText(error)))
      .finally(() => busy(false));
  });

  prune.addEventListener('click', () => {
    const where = settings?.archiveDir ?? 'the archive folder';
    const forced = force.checked ? ' Forced: consumers that have not processed them are passed by.' : '';
    if (!window.confirm(`Prune for good? What the policies put in range is archived in ${where}, then removed from the store.${forced}`)) return;
    busy(true);
    showOutcome('pending', 'pruning…');
    api
      .prune(force.checked ? { force: true } : {})
      .then((report) => {
        showOutcome(
          'ok',
          report.run === null ? 'Nothing to prune.' : `Run ${report.run} · ${formatCount(report.removed)} event(s) removed · archived in ${report.archive?.file ?? '—'}`,
        );
        fill(plan, planView(report.plan, true));
        options.onChange();
      })
      .catch((error: unknown) => showOutcome('error', errorText(error)))
      .finally(() => {
        busy(false);
        void loadRuns();
      });
  });

  return {
    async refresh(): Promise<void> {
      await Promise.all([settings === undefined ? loadPolicies() : undefined, loadRuns()]);
    },
  };
}
