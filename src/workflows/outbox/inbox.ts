// A consumer's inbox: the ids of the messages it has handled, kept in its own
// read-model database in the same transaction as the work each message did. A broker
// forgets ids after its deduplication window (JetStream's is two minutes by default),
// and the relay publishes again what it cannot prove delivered; the inbox never
// forgets, so each message takes effect once however often it arrives.

import { ValidationError } from '../../core/errors.js';
import { assertName } from '../../core/validation.js';
import type { ReadModelDb, ReadModelStorage, ReadModelTables } from '../../store/read-models.js';

export const INBOX_TABLE = 'eventline_inbox';

export interface Inbox {
  readonly name: string;
  /**
   * Runs `work` for message `id` unless this inbox has handled that id already, and
   * records the id in the same transaction: both happen, or neither. Resolves true
   * when `work` ran, false for a message handled before. `tables` are the consumer's
   * own, for `{name}` in its SQL.
   */
  handleOnce(id: string, work: (db: ReadModelDb) => Promise<void>, options?: { tables?: ReadModelTables }): Promise<boolean>;
  /** True when `id` has been handled. */
  handled(id: string): Promise<boolean>;
}

const CREATE = `
  CREATE TABLE IF NOT EXISTS {${INBOX_TABLE}} (
    inbox      TEXT   NOT NULL,
    message_id TEXT   NOT NULL,
    handled_at BIGINT NOT NULL,
    PRIMARY KEY (inbox, message_id)
  )`;

/**
 * On PostgreSQL a second transaction inserting the same id waits for the first: it
 * finds the id taken when that one commits, and takes it when that one rolls back.
 */
const RECORD = `
  INSERT INTO {${INBOX_TABLE}} (inbox, message_id, handled_at) VALUES ($1, $2, $3)
  ON CONFLICT (inbox, message_id) DO NOTHING`;

const FIND = `SELECT 1 AS found FROM {${INBOX_TABLE}} WHERE inbox = $1 AND message_id = $2`;

/** The same transaction-scoped advisory lock as every Eventline table created on demand (see checkpoint.ts). */
const LOCK_CREATE = 'SELECT pg_advisory_xact_lock(1163264004, 1) AS locked';

/**
 * @example
 * const inbox = createInbox(store.readModels, 'search-index');
 * const ran = await inbox.handleOnce(messageId, (db) =>
 *   db.run('INSERT INTO {published} (post_id) VALUES ($1)', [payload.postId]),
 *   { tables: { published: store.readModels.table('published') } });
 */
export function createInbox(readModels: ReadModelStorage, name: string): Inbox {
  assertName(name, 'name');
  const own = { [INBOX_TABLE]: readModels.table(INBOX_TABLE) };
  let created = false;

  async function ensureTable(db: ReadModelDb): Promise<void> {
    if (created) return;
    if (db.dialect === 'postgres') await db.get(LOCK_CREATE);
    await db.exec(CREATE);
  }

  return {
    name,
    async handleOnce(id, work, options = {}) {
      assertName(id, 'id');
      if (typeof work !== 'function') throw new ValidationError('work', 'must be a function');
      const tables = options.tables ?? {};
      if (INBOX_TABLE in tables) throw new ValidationError('tables', `must not name ${INBOX_TABLE}, the inbox's own table`);
      const ran = await readModels.transaction({ ...tables, ...own }, async (db) => {
        await ensureTable(db);
        if ((await db.run(RECORD, [name, id, Date.now()])) === 0) return false;
        await work(db);
        return true;
      });
      created = true;
      return ran;
    },
    async handled(id) {
      assertName(id, 'id');
      const found = await readModels.transaction(own, async (db) => {
        await ensureTable(db);
        return (await db.get(FIND, [name, id])) !== undefined;
      });
      created = true;
      return found;
    },
  };
}
