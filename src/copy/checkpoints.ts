// The stored positions of registered consumers, translated through a copy's position
// map: each projection's, workflow's and outbox relay's checkpoint (and a projection's
// failed position), so that the target's consumers go on from where the source's were,
// without a rebuild. Every position column a copy rewrites is named here, and only here.

import { CHECKPOINTS as PROJECTIONS } from '../projections/tables.js';
import { OUTBOX_TABLE as OUTBOX } from '../workflows/outbox/checkpoint.js';
import { CHECKPOINTS as WORKFLOWS } from '../workflows/tables.js';

/** The columns of each checkpoint table that hold a position in the log. */
const POSITION_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  [PROJECTIONS]: ['position', 'error_position'],
  [WORKFLOWS]: ['position'],
  [OUTBOX]: ['position'],
};

const KINDS: Readonly<Record<string, string>> = { [PROJECTIONS]: 'projection', [WORKFLOWS]: 'workflow', [OUTBOX]: 'outbox relay' };

export type Row = Record<string, unknown>;

/** A consumer whose checkpoint was translated. */
export interface TranslatedCheckpoint {
  kind: string;
  name: string;
  /** Its position in the source, and in the target. */
  from: number;
  to: number;
}

/** Whether rows of `table` carry positions to translate. */
export function holdsPositions(table: string): boolean {
  return table in POSITION_COLUMNS;
}

/**
 * The row with each of its positions translated and, when it records one, the target's
 * epoch (a row of a table made before epochs takes the store's as its consumer starts);
 * the consumer's checkpoint, for the report.
 */
export function translateRow(table: string, row: Row, translate: (position: number) => number, epoch: string): { row: Row; checkpoint: TranslatedCheckpoint } {
  const translated: Row = { ...row };
  if ('epoch' in row) translated.epoch = epoch;
  for (const column of POSITION_COLUMNS[table] ?? []) {
    const value = row[column];
    if (value !== null && value !== undefined) translated[column] = translate(Number(value));
  }
  const checkpoint = { kind: KINDS[table]!, name: String(row.name), from: Number(row.position), to: Number(translated.position) };
  return { row: translated, checkpoint };
}
