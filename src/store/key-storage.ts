// Where the data keys of personal data live, apart from the events (crypto-shredding,
// src/privacy). Each store kind provides one: memory for tests, a SQLite file of its own,
// a PostgreSQL schema of its own. A key storage keeps keys wrapped and never sees one in
// the clear; the privacy part wraps, unwraps and decides. Every method is one
// transaction.
//
// A (subject, category) has one current key, the one new appends seal under, and may
// have retired keys beside it: retireKeys gives every pair a new current key and keeps
// the old ones, which still open what was sealed under them, until the pair is erased.

/** A data key as a key storage keeps it: sealed under a key-encryption key. */
export interface StoredDataKey {
  /** Unique in the key storage; what an envelope's `kid` names. */
  keyId: string;
  /** The keyed hash of the subject the key belongs to: no subject id is ever stored. */
  subjectHash: string;
  /** The category of personal data the key seals (profile, contact, ...). */
  category: string;
  /** The data key sealed under the key-encryption key `kekId`, base64. */
  wrapped: string;
  /** Which key-encryption key sealed it (rotation re-wraps every key under a new one). */
  kekId: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A key as a copy of the key storage carries it: current (retiredAt null) or retired. */
export interface ExportedDataKey extends StoredDataKey {
  retiredAt: number | null;
}

/** The message of an import refused because a pair has another current key in the target. */
export function currentKeyTaken(keyId: string): string {
  return `the target holds another current key of the pair of key ${keyId}: copy into a key storage of its own`;
}

/** A line of the erased ledger: a subject, or one category of it, that never gets a key again. */
export interface ErasedEntry {
  subjectHash: string;
  /** null: every category of the subject. */
  category: string | null;
  /** Epoch milliseconds. */
  erasedAt: number;
}

/** The ledger lines of an erase: the whole subject (`categories` null), or each category. */
export function erasedEntriesOf(subjectHash: string, categories: readonly string[] | null, erasedAt: number): ErasedEntry[] {
  const lines: readonly (string | null)[] = categories ?? [null];
  return lines.map((category) => ({ subjectHash, category, erasedAt }));
}

/** A (subject, category): what one current key seals. */
export interface KeyPair {
  subjectHash: string;
  category: string;
}

/** The new current key `makeKey` makes for `pair` (retireKeys), refused when it names another pair. */
export function newKeyOf(makeKey: (pair: KeyPair) => StoredDataKey, pair: KeyPair): StoredDataKey {
  const key = makeKey({ subjectHash: pair.subjectHash, category: pair.category });
  if (key.subjectHash !== pair.subjectHash || key.category !== pair.category) {
    throw new Error(`a new data key must belong to the pair it replaces the key of (${key.keyId})`);
  }
  const { keyId, subjectHash, category, wrapped, kekId, createdAt } = key;
  return { keyId, subjectHash, category, wrapped, kekId, createdAt };
}

export interface KeyStorage {
  /** memory, sqlite or postgres. */
  readonly kind: string;

  /** A value the privacy part keeps for itself (the subject-hash key, sealed; a check of the key-encryption key). */
  getSetting(name: string): Promise<string | undefined>;
  /** Sets `name` unless it is set already; answers the value that holds, so two processes starting at once agree. */
  initSetting(name: string, value: string): Promise<string>;
  /** Replaces a setting (rotation). */
  setSetting(name: string, value: string): Promise<void>;

  /** The current key of (subject, category), or undefined. */
  currentKey(subjectHash: string, category: string): Promise<StoredDataKey | undefined>;
  /**
   * Stores `key`, unless the ledger has erased its subject or its category ('erased'),
   * or a key of the same (subject, category) was stored first (that key is the answer,
   * so two processes agree on one key). Checked and written in one transaction.
   */
  addKey(key: StoredDataKey): Promise<StoredDataKey | 'erased'>;
  /** The keys of these ids that exist, current or retired, in no particular order. */
  keysById(keyIds: readonly string[]): Promise<StoredDataKey[]>;

  /**
   * Records the subject (every category with `categories` null, else each one) in the
   * ledger and deletes the keys it covers (current and retired) and the subject's index entries, in one
   * transaction; then pushes the deleted rows out of the files as far as the database
   * allows (SQLite: secure_delete and a WAL checkpoint that truncates; PostgreSQL: VACUUM
   * of the keys table). Answers the ids of the keys deleted. Doing it again deletes
   * nothing and records nothing new.
   */
  erase(subjectHash: string, categories: readonly string[] | null, at: number): Promise<{ keyIds: string[] }>;
  /** Whether the ledger has erased the subject, or this category of it. */
  isErased(subjectHash: string, category: string): Promise<boolean>;
  /** The whole ledger, oldest first. */
  erasedEntries(): Promise<ErasedEntry[]>;
  /**
   * Adds ledger entries that are missing (a restored key storage catching up with the
   * receipts in the event log) and deletes the keys they cover, as `erase` does.
   */
  applyErased(entries: readonly ErasedEntry[]): Promise<{ keyIds: string[] }>;

  /**
   * In one transaction, for every pair that has a current key and is not erased: marks
   * that key retired at `at` and stores `makeKey(pair)` as the pair's current key.
   * Answers how many pairs got a new key. Retired keys stay until their pair is erased;
   * events are not touched. A `makeKey` that throws, or answers a key of another pair,
   * changes nothing.
   */
  retireKeys(at: number, makeKey: (pair: KeyPair) => StoredDataKey): Promise<number>;

  /** Re-wraps every key (current and retired) with `rewrap`, in one transaction; answers how many. Events are not touched. */
  rewrapAll(rewrap: (key: StoredDataKey) => { wrapped: string; kekId: string }): Promise<number>;

  /** Every key, current and retired, in key id order: what a copy of the key storage carries (still wrapped). */
  exportKeys(): Promise<ExportedDataKey[]>;
  /**
   * Stores keys another key storage exported, as they are, in one transaction: a key
   * whose id is here already is passed over, and one whose pair the ledger erased is left
   * out. A current key of a pair that has another current key here refuses the whole
   * import with a ValidationError, and nothing is stored. Answers how many were stored.
   */
  importKeys(keys: readonly ExportedDataKey[]): Promise<number>;

  /** Notes that the events at these positions hold personal data of these subjects (subject access). */
  indexSubjects(entries: readonly { subjectHash: string; position: number }[]): Promise<void>;
  /** The positions noted for a subject, in increasing order. */
  positionsOf(subjectHash: string): Promise<number[]>;

  close(): Promise<void>;
}
