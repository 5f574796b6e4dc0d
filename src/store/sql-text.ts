// Turning portable statement text into what each driver wants: `{table}` names
// replaced, for SQLite `$n` placeholders turned into positional ones, and for
// PostgreSQL's deferred statements the values written into the text. String literals
// and quoted identifiers are left alone.

import { ValidationError } from '../core/errors.js';
import type { ReadModelTables, SqlValue } from './read-models.js';

const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\{([A-Za-z_][A-Za-z0-9_]*)\}|\$(\d+)/g;

export function substituteTables(sql: string, tables: ReadModelTables): string {
  return sql.replace(TOKENS, (token, name: string | undefined) => {
    if (name === undefined) return token;
    const table = tables[name];
    if (table === undefined) throw new ValidationError('sql', `names an unknown table {${name}}: ${sql}`);
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
    if (i >= params.length) throw new ValidationError('params', `has no value for $${i + 1}`);
    return params[i]!;
  });
}

/**
 * `$n` → the nth value as a quoted literal, so that many statements can travel as one
 * text. Every value is quoted (numbers too): an untyped literal takes its type from
 * where it stands, as a parameter sent without a type does.
 */
export function inlineValues(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(TOKENS, (token, _name: string | undefined, index: string | undefined) => {
    if (index === undefined) return token;
    const i = Number(index) - 1;
    if (i >= params.length) throw new ValidationError('params', `has no value for $${i + 1}`);
    return literal(params[i]!);
  });
}

function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new ValidationError('params', `${value} cannot be written to SQL`);
  const text = String(value);
  // E'' escapes backslashes whatever standard_conforming_strings says.
  return text.includes('\\') ? `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`;
}
