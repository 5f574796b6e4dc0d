// `eventline copy <from> <to>`: every event of one store into another (docs/copy.md),
// as stored, with the read models and their checkpoints translated, then verified. A
// copy stopped at any point (kill -9 included) is run again with the same URLs and goes
// on where it stopped. --verify-only compares the two sides and writes nothing.

import { copyStore, verifyCopy, type CopyPhase, type CopyReport, type CopyVerification } from '../../copy/index.js';
import { CopyMismatchError, CopyRefusedError } from '../../core/errors.js';
import { openEventStore } from '../../open/open-store.js';
import { storeLocation } from '../../open/store-location.js';
import { stringValue } from '../args.js';
import type { Command, OwnStoreTask } from '../command.js';
import type { Output } from '../output.js';
import { createProgressBar, type ProgressBar } from '../progress.js';
import { wholeNumber } from '../values.js';
import { UsageError } from '../errors.js';

export const copyCommand: Command = {
  name: 'copy',
  summary: 'Copy every event, read model and checkpoint of one store into another, and verify it',
  synopsis: '<from url> <to url> [--batch-size <n>] [--no-verify | --verify-only]',
  positionals: ['from', 'to'],
  options: {
    'batch-size': { type: 'string' },
    'no-verify': { type: 'boolean' },
    'verify-only': { type: 'boolean' },
  },
  optionHelp: [
    ['<from url>', 'The store to copy: it must exist, and is only read'],
    ['<to url>', 'A new store (made when missing), or one an earlier copy from <from> partly filled:'],
    ['', 'the copy goes on where it stopped. Never <from> itself'],
    ['--batch-size <n>', 'Events per transaction. Default 1000'],
    ['--no-verify', 'Skip the verification at the end (counts and a hash chain per stream, both sides)'],
    ['--verify-only', 'Only compare what a copy wrote with its source; write nothing'],
  ],
  prints:
    'How many events were copied (and how many an earlier run had), the read-model tables and rows, each\n' +
    'consumer\'s checkpoint as translated, and the verification. Progress on stderr. With --json one object:\n' +
    '{"copied","resumed","sourcePosition","targetPosition","readModels","checkpoints","seconds","verification"};\n' +
    '--verify-only prints {"streams","events","seconds","mismatches"}. A stream that does not verify is an\n' +
    'error (COPY_MISMATCH) naming it.',
  examples: [
    'eventline copy sqlite:./data/eventline.db postgres://app@db.internal/blog',
    'eventline copy sqlite:./data/eventline.db postgres://app@db.internal/blog --verify-only --json',
  ],

  prepare({ values, positionals }) {
    const [from, to] = positionals as [string, string];
    if (from === '' || to === '') throw new UsageError('copy needs <from url> and <to url>');
    const batchText = stringValue(values, 'batch-size');
    const batchSize = batchText === undefined ? undefined : wholeNumber(batchText, 'batch-size', 1);
    const verifyOnly = values['verify-only'] === true;
    const verify = values['no-verify'] !== true;
    if (verifyOnly && !verify) throw new UsageError('copy takes --verify-only or --no-verify, not both');
    // Both URLs are checked, and told apart, before either store is opened.
    const source = storeLocation(from);
    const target = storeLocation(to);
    // Named by where it leads, never by the URL: a URL may carry a password.
    if (source !== undefined && source === target) throw new CopyRefusedError('same-store', `${target} is the source store itself`);
    return copyTask(from, to, { batchSize, verify, verifyOnly });
  },
};

interface CopyArgs {
  batchSize: number | undefined;
  verify: boolean;
  verifyOnly: boolean;
}

function copyTask(from: string, to: string, { batchSize, verify, verifyOnly }: CopyArgs): OwnStoreTask {
  return {
    // The source must exist: a mistyped path must not look like an empty store.
    open: () => openEventStore(from, { create: false }),
    async run({ store: source, out }) {
      const target = await openEventStore(to, { create: !verifyOnly });
      try {
        const progress = progressBars(out);
        if (verifyOnly) {
          const report = await verifyCopy(source, target, { ...(batchSize && { batchSize }), onProgress: (p) => progress({ phase: 'verify', ...p }) });
          await printVerification(report, out);
          if (report.mismatches.length === 0) return;
          // The report first, then the error that names the first stream.
          await out.flush();
          mismatch(report);
        }
        const report = await copyStore(source, target, { ...(batchSize && { batchSize }), verify, onProgress: progress });
        await printReport(report, out);
      } finally {
        await target.close();
      }
    },
  };
}

/** The first mismatch as the error the CLI reports, after the report was printed. */
function mismatch(report: CopyVerification): never {
  const first = report.mismatches[0]!;
  throw new CopyMismatchError(first.streamId, first.detail, report.mismatches.length);
}

const LABELS: Record<CopyPhase, string> = { events: 'copying', verify: 'verifying' };

/** Progress on stderr, as a prune's: a bar for a person, lines for a log, none with --json. */
function progressBars(out: Output): (progress: { phase: CopyPhase; done: number; total: number }) => void {
  const stderr = process.stderr;
  const show = stderr.isTTY || !out.json;
  const bars = new Map<CopyPhase, { bar: ProgressBar; started: number }>();
  return ({ phase, done, total }) => {
    if (!show || total === 0) return;
    let entry = bars.get(phase);
    if (entry === undefined) bars.set(phase, (entry = { bar: createProgressBar(stderr, { label: LABELS[phase] }), started: Date.now() }));
    const perSecond = done / Math.max((Date.now() - entry.started) / 1000, 0.001);
    const state = { done, fraction: done / total, perSecond, etaSeconds: perSecond > 0 ? (total - done) / perSecond : undefined };
    if (done >= total) entry.bar.finish(state);
    else entry.bar.update(state);
  };
}

async function printReport(report: CopyReport, out: Output): Promise<void> {
  if (out.json) return out.record({ ...report, verification: report.verification ?? null });
  const resumed = report.resumed > 0 ? ` (${report.resumed} more were copied by an earlier run)` : '';
  await out.line(`copied ${report.copied} events${resumed}; source position ${report.sourcePosition} is target position ${report.targetPosition}`);
  await out.line(`read models: ${report.readModels.tables} tables, ${report.readModels.rows} rows`);
  for (const c of report.checkpoints) await out.line(`${c.kind} ${c.name}: checkpoint ${c.from} -> ${c.to}`);
  if (report.verification !== undefined) await printVerification(report.verification, out);
}

async function printVerification(report: CopyVerification, out: Output): Promise<void> {
  if (out.json) return out.record(report);
  const verdict = report.mismatches.length === 0 ? 'every stream matches' : `${report.mismatches.length} streams differ`;
  await out.line(`verified ${report.streams} streams, ${report.events} events in ${report.seconds.toFixed(1)} s: ${verdict}`);
  for (const m of report.mismatches) await out.line(`  ${m.streamId}: ${m.detail}`);
}

