// Turning portable statement text into what each driver wants: `{table}` names
// replaced, and for SQLite `$n` placeholders turned into positional ones. String
// literals and quoted identifiers are left alone.

import type { ReadModelTables, SqlValue } from './read-models.js';

const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\{([A-Za-z_][A-Za-z0-9_]*)\}|\$(\d+)/g;

export function substituteTables(sql: string, tables: ReadModelTables): string {
  return sql.replace(TOKENS, (token, name: string | undefined) => {
    if (name === undefined) return token;
    const table = tables[name];
    if (table === undefined) throw new Error(`unknown table {${name}} in: ${sql}`);
    return table;
  });
}

/** `$2 … $1 … $2` → `? … ? … ?` and the order to bind the values in: [1, 0, 1]. */
export function positional(sql: string): { text: string; order: number[] } {
  const order: number[] = [];
  const text = sql.replace(TOKENS, (token, _name: string | undefined, index: string | undefined) => {
    if (index === undefined) return token;
    order.push(Number(index) - 1);
    return '?';
  });
  return { text, order };
}

export function bindInOrder(params: readonly SqlValue[], order: readonly number[]): SqlValue[] {
  return order.map((i) => {
    if (i >= params.length) throw new Error(`no value for $${i + 1}`);
    return params[i]!;
  });
}
