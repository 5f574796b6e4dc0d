// The figures as Markdown for people (main.ts also writes it to bench/results/latest.md,
// whose tables docs/benchmarks.md is filled from) or as one JSON object per line for
// scripts: one per (workload, store), then one per target when the run has any.

import { besideFloorOf, emmettOf, floorOf, ratio } from './ratios.js';
import { checkGoals, type Goal } from './targets.js';
import type { Summary } from './stats.js';

/** 3 significant digits: 27.9k, 132k, 1.23M; times in ms to 0.01. */
export function formatValue(value: number, unit: Summary['unit']): string {
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : String(Math.round(value));
  const [scaled, suffix] = value >= 1e6 ? [value / 1e6, 'M'] : value >= 1e3 ? [value / 1e3, 'k'] : [value, ''];
  return `${scaled >= 100 ? Math.round(scaled) : scaled.toPrecision(3)}${suffix}`;
}

const formatRatio = (r: number | undefined) =>
  r === undefined ? '' : r < 0.01 ? '<0.01x' : `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}x`;

function cells(s: Summary, all: readonly Summary[]): string[] {
  const notes: string[] = [];
  if (s.conflicts !== undefined) notes.push(`conflicts ${Math.round(s.conflicts)}`);
  if (s.lost !== undefined) notes.push(`lost ${s.lost}`);
  if (s.duplicated !== undefined) notes.push(`duplicated ${s.duplicated}`);
  if (s.p99Ms !== undefined) notes.push(`p99 ${formatValue(s.p99Ms, 'ms')} ms`);
  if (s.non2xx !== undefined) {
    const bad = `non-2xx ${s.non2xx}, errors ${s.errors}`;
    notes.push(s.troubledRuns ? `**${bad}**${s.runs > 1 ? ` in ${s.troubledRuns} of ${s.runs} runs` : ''}` : bad);
  }
  if (s.failed) notes.unshift(`**fails**${s.failedRuns < s.runs ? ` in ${s.failedRuns} of ${s.runs} runs` : ''}: ${s.failed.replace(/\|/g, '/')}`);
  if (s.skipped) notes.unshift(s.skipped);
  if (s.details) notes.push(Object.entries(s.details).map(([k, v]) => `${k} ${v}`).join(', '));
  const ours = s.target.family === 'ours';
  const floor = ours ? floorOf(s, all) : undefined;
  const beside = ours ? besideFloorOf(s, all) : undefined;
  const emmett = ours ? emmettOf(s, all) : undefined;
  const versus = (f: Summary) => `${formatRatio(ratio(s, f))} (${f.target.name})`;
  return [
    s.workload.id,
    s.target.name,
    s.median === undefined ? (s.failed ? 'fails' : s.skipped ? 'n/a' : '') : formatValue(s.median, s.unit),
    s.min === undefined ? '' : `${formatValue(s.min, s.unit)}–${formatValue(s.max!, s.unit)}`,
    s.unit,
    s.rssMB === undefined ? '' : s.rssMB.toFixed(0),
    [floor, beside].flatMap((f) => (f ? [versus(f)] : [])).join('; '),
    emmett ? formatRatio(ratio(s, emmett)) : '',
    notes.join('; '),
  ];
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function resultsTable(summaries: readonly Summary[]): string {
  const header = ['workload', 'store', 'median', 'min–max', 'unit', 'peak RSS MB', 'ours/floor', 'ours/Emmett', 'notes'];
  return markdownTable(header, summaries.map((s) => cells(s, summaries)));
}

/** Each store's largest peak RSS over the workloads it ran. */
export function rssTable(summaries: readonly Summary[]): string {
  const peaks = new Map<string, number>();
  for (const s of summaries) if (s.rssMB !== undefined) peaks.set(s.target.name, Math.max(peaks.get(s.target.name) ?? 0, s.rssMB));
  return markdownTable(['store', 'peak RSS MB'], [...peaks].map(([name, mb]) => [name, mb.toFixed(0)]));
}

const figure = (s: Summary | undefined) => (s?.median === undefined ? '' : `${formatValue(s.median, s.unit)} ${s.unit}`);

export function goalsTable(goals: readonly Goal[]): string {
  const rows = goals.map((g) => [
    g.goal,
    g.workload,
    g.store,
    figure(g.ours),
    g.against,
    figure(g.theirs),
    g.actual === undefined ? '' : g.shown ?? (g.goal.startsWith('W7 loses') ? String(g.actual) : formatRatio(g.actual)),
    g.needed,
    g.met ? 'met' : '**MISSED**',
  ]);
  return markdownTable(['target', 'workload', 'store', 'ours', 'against', 'theirs', 'actual', 'needed', ''], rows);
}

/** Medians side by side: a row per workload, a column per store (the peers' table of docs/benchmarks.md). */
export function sideBySideTable(summaries: readonly Summary[]): string {
  const stores = [...new Set(summaries.map((s) => s.target.name))];
  const workloads = [...new Map(summaries.map((s) => [s.workload.id, s.workload])).values()];
  const cell = (s: Summary | undefined) => {
    if (s === undefined) return '';
    if (s.median === undefined) return s.failed ? 'fails' : 'n/a';
    const value = s.unit === 'ms' ? `${formatValue(s.median, 'ms')} ms` : formatValue(s.median, s.unit);
    return s.failed ? `${value} (fails in ${s.failedRuns} of ${s.runs})` : value;
  };
  const rows = workloads.map((w) => [
    w.id,
    w.unit,
    ...stores.map((name) => cell(summaries.find((s) => s.workload.id === w.id && s.target.name === name))),
  ]);
  return markdownTable(['workload', 'unit', ...stores], rows);
}

export function humanReport(summaries: readonly Summary[], withGoals: boolean): string {
  const parts: string[] = [];
  if (withGoals) {
    const goals = checkGoals(summaries);
    const missed = goals.filter((g) => !g.met).length;
    parts.push(`## Targets (${goals.length - missed} met, ${missed} missed)`, goalsTable(goals), '');
  }
  parts.push('## Side by side (medians)', sideBySideTable(summaries), '');
  parts.push('## Results', resultsTable(summaries), '');
  // A note several workloads share (W8's variants) is printed once, naming them all.
  const notes = new Map<string, Set<string>>();
  for (const s of summaries) if (s.workload.note) notes.set(s.workload.note, (notes.get(s.workload.note) ?? new Set()).add(s.workload.id));
  if (notes.size > 0) parts.push(...[...notes].map(([note, ids]) => `- ${[...ids].join(', ')}: ${note}.`), '');
  parts.push('## Peak RSS per store', rssTable(summaries));
  return parts.join('\n');
}

const round = (n: number | undefined, digits: number) => (n === undefined ? undefined : Number(n.toFixed(digits)));

/**
 * One line per (workload, store): { workload, store, unit, median, min, max, rssMB }, W7's
 * and W8's counts, W8's and L1/L2's p99, and L1/L2's bad answers; with `withGoals`, then one line per target:
 * { target, workload, store, against, ratio (or the figure), needed, met }.
 */
export function jsonLines(summaries: readonly Summary[], withGoals: boolean): string[] {
  const goals = withGoals ? checkGoals(summaries).map((g) => JSON.stringify(goalLine(g))) : [];
  return [...summaries.map(summaryLine), ...goals];
}

function goalLine(g: Goal): Record<string, unknown> {
  return {
    target: g.goal,
    workload: g.workload,
    store: g.store,
    against: g.against,
    [g.shown === undefined && !g.goal.startsWith('W7 loses') ? 'ratio' : 'actual']: round(g.actual, 3),
    ours: round(g.ours?.median, 2),
    theirs: round(g.theirs?.median, 2),
    needed: g.needed,
    met: g.met,
  };
}

function summaryLine(s: Summary): string {
  const digits = s.unit === 'ms' ? 2 : 0;
  const line: Record<string, unknown> = {
    workload: s.workload.id,
    store: s.target.name,
    unit: s.unit,
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    rssMB: round(s.rssMB, 1),
  };
  if (s.conflicts !== undefined) line.conflicts = s.conflicts;
  if (s.lost !== undefined) Object.assign(line, { lost: s.lost, duplicated: s.duplicated });
  if (s.p99Ms !== undefined) line.p99Ms = round(s.p99Ms, 2);
  if (s.non2xx !== undefined) Object.assign(line, { non2xx: s.non2xx, errors: s.errors });
  if (s.failed) Object.assign(line, { failed: s.failed, failedRuns: s.failedRuns });
  if (s.skipped) line.skipped = s.skipped;
  if (s.details) Object.assign(line, s.details);
  return JSON.stringify(line);
}
