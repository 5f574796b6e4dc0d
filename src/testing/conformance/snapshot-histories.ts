// The property behind snapshots: for any history of commands, the state loaded with
// snapshots equals the state folded from the events alone. Histories are random but
// seeded, so a failure names the seed that reproduces it. The decider is a small
// ledger kept here, so src/ never depends on the examples.

import assert from 'node:assert/strict';
import type { Decider } from '../../commands/decider.js';
import { handleCommand } from '../../commands/handle-command.js';
import { loadState } from '../../commands/load-state.js';
import { DomainError } from '../../core/errors.js';
import { everyNEvents, whenLoadReadMoreThan, type SnapshotPolicy } from '../../snapshots/policies.js';
import type { SnapshotOptions } from '../../snapshots/options.js';
import type { EventStore } from '../../store/event-store.js';

interface LedgerState {
  open: boolean;
  total: number;
  entries: number;
  /** The last three notes, newest last: order matters, so a misapplied event shows. */
  recent: string[];
  byNote: Record<string, number>;
}
type LedgerCommand = { type: 'Add'; amount: number; note: string } | { type: 'Close' } | { type: 'Reopen' };
type LedgerEvent =
  | { type: 'Added'; data: { amount: number; note: string } }
  | { type: 'Closed'; data: Record<string, never> }
  | { type: 'Reopened'; data: Record<string, never> };

export const ledger: Decider<LedgerState, LedgerCommand, LedgerEvent> = {
  initialState: () => ({ open: true, total: 0, entries: 0, recent: [], byNote: {} }),
  evolve(state, event) {
    switch (event.type) {
      case 'Added': {
        const { amount, note } = event.data;
        const byNote = { ...state.byNote, [note]: (state.byNote[note] ?? 0) + amount };
        return { ...state, total: state.total + amount, entries: state.entries + 1, recent: [...state.recent, note].slice(-3), byNote };
      }
      case 'Closed':
        return { ...state, open: false };
      case 'Reopened':
        return { ...state, open: true };
      default:
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'Add': {
        if (!state.open) throw new DomainError('Ledger is closed');
        if (command.amount === 0) return [];
        // A large amount is booked as two entries: some commands append two events.
        const { amount, note } = command;
        if (amount <= 50) return [{ type: 'Added', data: { amount, note } }];
        const half = Math.floor(amount / 2);
        return [{ type: 'Added', data: { amount: half, note } }, { type: 'Added', data: { amount: amount - half, note } }];
      }
      case 'Close':
        if (!state.open) throw new DomainError('Ledger is already closed');
        return [{ type: 'Closed', data: {} }];
      case 'Reopen':
        if (state.open) throw new DomainError('Ledger is open');
        return [{ type: 'Reopened', data: {} }];
    }
  },
};

/** mulberry32: a small, fast, seeded PRNG; good enough to pick commands. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Notes that JSON must carry faithfully: quotes, escapes, accents and astral characters.
const NOTES = ['rent', 'café', 'say "hi"', 'back\\slash', 'line\nbreak', '😀', 'tab\t', ''];

export interface HistoryReport {
  /** Loads (with snapshots) that started from a snapshot. */
  loadsFromSnapshot: number;
  warnings: string[];
}

/** Runs one random history on `streamId` and checks the property after random steps and at the end. */
export async function runHistory(store: EventStore, streamId: string, seed: number): Promise<HistoryReport> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  const policy: SnapshotPolicy = random() < 0.5 ? everyNEvents(1 + Math.floor(random() * 8)) : whenLoadReadMoreThan(Math.floor(random() * 8));
  let options: SnapshotOptions = { schemaVersion: 1, policy, logger };
  let loadsFromSnapshot = 0;
  const context = (step: number) => `history seed ${seed}, step ${step}`;

  const check = async (step: number) => {
    const withSnapshots = await loadState(store, streamId, ledger, { snapshots: options });
    const fromEvents = await loadState(store, streamId, ledger);
    if (withSnapshots.snapshotVersion > 0) loadsFromSnapshot++;
    const { state, version, lastPosition } = fromEvents;
    assert.deepEqual({ state: withSnapshots.state, version: withSnapshots.version, lastPosition: withSnapshots.lastPosition }, { state, version, lastPosition }, context(step));
    return fromEvents;
  };

  const steps = 10 + Math.floor(random() * 40);
  for (let step = 0; step < steps; step++) {
    const roll = random();
    if (roll < 0.05) {
      // The state's shape "changed": older snapshots must be ignored, then replaced.
      options = { ...options, schemaVersion: options.schemaVersion === 1 ? 2 : 1 };
    } else if (roll < 0.08) {
      await store.snapshots.delete(streamId);
    } else {
      const command: LedgerCommand =
        roll < 0.8 ? { type: 'Add', amount: Math.floor(random() * 80), note: pick(NOTES) } : roll < 0.9 ? { type: 'Close' } : { type: 'Reopen' };
      try {
        const result = await handleCommand(store, streamId, ledger, command, { snapshots: options });
        assert.deepEqual(result.state, (await loadState(store, streamId, ledger)).state, `${context(step)}: the command's state`);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    if (random() < 0.25) await check(step);
  }
  await check(steps);
  return { loadsFromSnapshot, warnings };
}
