// A step of the PostgreSQL schema: the SQL it runs, given the names that differ from one
// schema to another. Steps are frozen: schema.ts says why.

/** What a step's SQL names that differs from one schema to another. */
export interface SchemaNames {
  /** The schema, quoted (identifiers.ts). */
  readonly s: string;
  /** The schema's advisory-lock key (lockKey), the second key of every lock an append takes. */
  readonly key: number;
  /** The channel appends notify on. */
  readonly channel: string;
}

export type Migration = (names: SchemaNames) => string;
