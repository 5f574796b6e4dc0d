// C1: a copy into one of Eventline's stores, as an application runs it: copyStore from
// the SQLite store at a path, the verification timed apart.

import { copyStore, openEventStore, verifyCopy, type EventStore } from '../../src/index.js';
import type { CopyOutcome } from '../workloads/adapter.js';

export async function copyFromSqlite(target: EventStore, sourcePath: string): Promise<CopyOutcome> {
  const source = await openEventStore(`sqlite:${sourcePath}`, { create: false });
  try {
    const started = performance.now();
    const report = await copyStore(source, target, { verify: false });
    const ms = performance.now() - started;
    const verifying = performance.now();
    const verification = await verifyCopy(source, target);
    const verifyMs = performance.now() - verifying;
    if (verification.mismatches.length > 0) throw new Error(`the copy does not verify: ${verification.mismatches.length} streams differ`);
    return { copied: report.copied, ms, verifyMs };
  } finally {
    await source.close();
  }
}
