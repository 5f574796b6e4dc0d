// Where a projection's tables physically are. The live copy uses the logical names;
// a rebuild writes generation N beside it (`posts__g3`) and then swaps it in. Index
// names keep their generation, so every build can create fresh ones.

import type { ReadModelStorage, ReadModelTables } from '../store/read-models.js';
import type { Projection } from './projection.js';

export const CHECKPOINTS = 'eventline_projections';

export function physicalName(logical: string, generation: number): string {
  return generation === 0 ? logical : `${logical}__g${generation}`;
}

/**
 * The `{name}` mapping for a projection's SQL. Live tables always have their logical
 * names; a build writes generation N's tables beside them. Indexes carry the
 * generation they were built in.
 */
export function tablesOf(projection: Projection, storage: ReadModelStorage, generation: number, building = false): ReadModelTables {
  const tables: Record<string, string> = { [CHECKPOINTS]: storage.table(CHECKPOINTS) };
  for (const table of projection.tables) tables[table] = storage.table(building ? physicalName(table, generation) : table);
  // Index names are never schema-qualified: they live beside their table.
  for (const index of projection.indexes) tables[index] = `"${physicalName(index, generation)}"`;
  return tables;
}
