// A read-model column's type in the target's SQL, from its type in the source's
// catalogue, and a value as the target's driver takes it. Between stores of one kind the
// declared type goes over as it is; across kinds it is the type of the same family, as
// SQLite's affinity rules read a declared type.

type Dialect = 'sqlite' | 'postgres';

/** SQLite's affinity of a declared type (https://sqlite.org/datatype3.html, 3.1). */
function affinity(declared: string): 'integer' | 'text' | 'blob' | 'real' | 'numeric' {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text';
  if (type.includes('BLOB') || type === '') return 'blob';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'real';
  return 'numeric';
}

const TO_POSTGRES = { integer: 'BIGINT', text: 'TEXT', real: 'DOUBLE PRECISION', numeric: 'NUMERIC' } as const;

/** What PostgreSQL's types are in SQLite; any other (dates, json, uuid) becomes TEXT. */
function postgresToSqlite(type: string): string {
  if (/^(smallint|integer|bigint)$/.test(type)) return 'INTEGER';
  if (type === 'boolean') return 'INTEGER';
  if (type === 'real' || type === 'double precision') return 'REAL';
  if (type.startsWith('numeric')) return 'NUMERIC';
  if (type === 'bytea') return 'BLOB';
  return 'TEXT';
}

export function columnType(type: string, from: Dialect, to: Dialect): string {
  if (from === to) return type;
  if (from === 'postgres') return postgresToSqlite(type);
  const family = affinity(type);
  // A SQLite column declared with no type holds anything; text keeps every value readable.
  if (family === 'blob') return type === '' ? 'TEXT' : 'BYTEA';
  return TO_POSTGRES[family];
}

/** A value read from the source as the target's driver binds it. */
export function columnValue(value: unknown, to: Dialect): string | number | bigint | Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || Buffer.isBuffer(value)) return value;
  if (typeof value === 'boolean') return to === 'sqlite' ? (value ? 1 : 0) : String(value);
  if (value instanceof Date) return value.toISOString();
  // A json column's value, as its text.
  return JSON.stringify(value);
}
