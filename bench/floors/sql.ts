// The SQL of the PostgreSQL floors (node-postgres and porsager's postgres): the same
// statements, so the two differ only in the driver. The same-columns floor (W4) keeps
// its events in a table of Eventline's shape and reads every column a recorded event
// carries; the others keep the four columns a floor needs.

export interface FloorSql {
  schema: string;
  appendOne: string;
  appendMany: string;
  currentVersion: string;
  readStream: string;
  readAll: string;
}

/** Whole epoch milliseconds of a timestamptz, as Eventline's PostgreSQL store reads its time. */
export const EPOCH_MS = (column: string) => `floor(date_part('epoch', ${column}) * 1000)::bigint`;

/** `s` is the quoted schema name; `sameColumns`: Eventline's table and all of its columns. */
export function floorSql(s: string, sameColumns = false): FloorSql {
  // The version check lives in the INSERT; when two writers pass it at once, the
  // unique key settles it once the first commits. A single row yields with
  // ON CONFLICT DO NOTHING (no error to raise and log); several rows must fail whole
  // (23505), or a partly refused append would leave a gap.
  const versionIs = (expected: string) =>
    `coalesce((SELECT max(version) FROM ${s}.events WHERE stream_id = $1::text), 0) = ${expected}`;
  return {
    schema: sameColumns
      ? `
      CREATE TABLE IF NOT EXISTS ${s}.events (
        position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id   text COLLATE "C" NOT NULL,
        version     bigint NOT NULL,
        event_id    uuid,
        type        text COLLATE "C" NOT NULL,
        data        text NOT NULL,
        metadata    text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, version)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON ${s}.events (event_id) WHERE event_id IS NOT NULL`
      : `
      CREATE TABLE IF NOT EXISTS ${s}.events (
        position  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id text COLLATE "C" NOT NULL,
        version   bigint NOT NULL,
        type      text NOT NULL,
        data      text NOT NULL,
        UNIQUE (stream_id, version)
      )`,
    appendOne: `
      INSERT INTO ${s}.events (stream_id, version, type, data)
      SELECT $1::text, $2::bigint + 1, $3::text, $4::text
      WHERE ${versionIs('$2::bigint')}
      ON CONFLICT (stream_id, version) DO NOTHING`,
    appendMany: `
      INSERT INTO ${s}.events (stream_id, version, type, data)
      SELECT $1::text, $2::bigint + u.ord, u.type, u.data
      FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS u(type, data, ord)
      WHERE ${versionIs('$2::bigint')}`,
    currentVersion: `SELECT coalesce(max(version), 0) FROM ${s}.events WHERE stream_id = $1::text`,
    readStream: `
      SELECT ${sameColumns ? `version, position, event_id, type, data, metadata, ${EPOCH_MS('recorded_at')}` : 'version, type, data'} FROM ${s}.events
      WHERE stream_id = $1::text AND version > $2::bigint ORDER BY version LIMIT $3`,
    readAll: `
      SELECT position, stream_id, version, type, data FROM ${s}.events
      WHERE position > $1::bigint ORDER BY position LIMIT $2`,
  };
}
