// The application's handle on crypto-shredding: the payload guard to open the event store
// with, forgetting a subject (with a receipt in the log), and subject access (every
// personal field about a person, found through an index rather than a scan of the log).
// The guard serves no key until `attach` has re-applied the receipts of the log to the
// key storage: a key storage restored from an old backup forgets again first.
//
// What this does not cover, by construction:
// - A crash after the key storage's erase and before the receipt is appended leaves the
//   subject forgotten without a receipt; calling forgetSubject again appends one (its
//   keyIds then empty). A key storage restored from a backup in that window, before the
//   second call, brings the subject back: call forgetSubject again after any crash.
// - Receipts are re-applied on attach only: a key storage restored under a running
//   process is not caught until that process restarts and attaches again.
// - Two processes forgetting the same subject at once: one receipt is appended (the
//   append expects the stream's version), and its keyIds are those its process deleted.

import { ConcurrencyError, ErasureReceiptError, ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { ErasedEntry, KeyStorage } from '../store/key-storage.js';
import type { PayloadGuard } from '../store/payload-guard.js';
import { checkCategories, type PersonalDataRegistry } from './declarations.js';
import { isErased } from './erased.js';
import { openKeyring } from './keyring.js';
import {
  ERASURE_RECEIPT,
  isReceiptShaped,
  openReceiptKey,
  signReceipt,
  SUBJECT_FORGOTTEN,
  verifyReceiptMac,
  type ErasureReceipt,
} from './receipts.js';
import { personalDataGuard, valueAt } from './personal-data-guard.js';
import { isSealedSnapshot } from './sealed-snapshot.js';
import { catchUpSubjectIndex, readPositions, subjectOrUndefined } from './subject-index.js';

export interface PrivacyOptions {
  keyStorage: KeyStorage;
  /** The key-encryption key (loadKek). */
  kek: Buffer;
  personalData: PersonalDataRegistry;
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** How long a data key this process looked up serves appends before the key storage is asked again (KeyringOptions). Default 1000 ms. */
  currentKeyCacheMs?: number;
}

/** One personal field in a subject access export. */
export interface ExportedField {
  position: number;
  eventId: string;
  streamId: string;
  type: string;
  path: string;
  category: string;
  /** The value in the clear; absent when `erased`. */
  value?: unknown;
  /** Present (true) when the field's category of the subject was forgotten. */
  erased?: true;
}

export interface SubjectExport {
  subjectHash: string;
  /** What the erased ledger holds for the subject: 'all', the categories forgotten, or none. */
  forgotten: 'all' | readonly string[];
  /** In log order, then in declaration order within an event. */
  fields: ExportedField[];
}

export interface Privacy {
  /** The payload guard: `openEventStore(url, { payloads: privacy.guard })`. It waits for `attach`, and refuses before attach has started. */
  readonly guard: PayloadGuard;
  /**
   * Re-applies every erasure receipt of the log to the key storage (an ErasureReceiptError
   * naming the position of one whose MAC fails), then lets the guard serve keys, then
   * catches the subject index up. Call once after opening the store; again is harmless.
   */
  attach(store: EventStore): Promise<void>;
  /**
   * Forgets a subject (or these categories of it): the ledger entry and the keys' deletion
   * in the key storage first, then SubjectForgotten and the ErasureReceipt in one append to
   * `erasure-<subjectHash>`. Idempotent: a receipt of that stream covering the categories
   * (one with null covers all) is answered again and nothing is appended.
   */
  forgetSubject(store: EventStore, subjectId: string, options?: { categories?: readonly string[] }): Promise<ErasureReceipt>;
  /** Every personal field about the subject, with the event it is in (subject access). */
  exportSubject(store: EventStore, subjectId: string): Promise<SubjectExport>;
  /** Whether a receipt is well formed and its MAC verifies under this key storage's receipt key. */
  verifyReceipt(receipt: unknown): boolean;
}

/** The stream of a subject's SubjectForgotten and ErasureReceipt events. */
export const erasureStream = (subjectHash: string) => `erasure-${subjectHash}`;

/**
 * Opens crypto-shredding over a key storage (which the application opens and closes,
 * e.g. `openKeyStorage(url)`).
 *
 * @example
 * const privacy = await openPrivacy({ keyStorage: await openKeyStorage(url), kek: (await loadKek()).key, personalData });
 * const store = await openEventStore(url, { payloads: privacy.guard });
 * await privacy.attach(store);
 * const receipt = await privacy.forgetSubject(store, 'author-17');
 */
export async function openPrivacy(options: PrivacyOptions): Promise<Privacy> {
  const { keyStorage, kek, personalData } = options;
  const now = options.now ?? Date.now;
  // The receipts are read before the guard serves keys: a guard handling them would wait on itself.
  const clash = [ERASURE_RECEIPT, SUBJECT_FORGOTTEN].find((type) => personalData.types.includes(type));
  if (clash !== undefined) throw new ValidationError(`personalData.${clash}`, 'is an event type of erasure itself and holds no personal data');
  const keyring = await openKeyring(keyStorage, kek, { now, ...(options.currentKeyCacheMs !== undefined && { currentKeyCacheMs: options.currentKeyCacheMs }) });
  const receiptKey = await openReceiptKey(keyStorage, kek);
  const inner = personalDataGuard(personalData, keyring);

  // Open once attach has re-applied the receipts; rejected with its error if that failed.
  let open!: () => void;
  let fail!: (error: unknown) => void;
  const attached = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  attached.catch(() => {}); // waited on by the guard when it is used; not an unhandled rejection before that
  let applying: Promise<void> | undefined;

  /**
   * Resolves once attach has re-applied the receipts. Before attach has started nothing
   * would ever resolve it, so a call then is refused at once instead of waiting forever.
   */
  const ready = (): Promise<void> =>
    applying === undefined
      ? Promise.reject(new ValidationError('privacy', 'is not attached: call privacy.attach(store) once the store is open, before personal data is read or written'))
      : attached;

  const guard: PayloadGuard = {
    handles: inner.handles,
    async seal(events) {
      await ready();
      return inner.seal(events);
    },
    async reveal(events) {
      await ready();
      return inner.reveal(events);
    },
    async sealSnapshot(snapshot, json, events) {
      await ready();
      return inner.sealSnapshot(snapshot, json, events);
    },
    async revealSnapshot(snapshot, text) {
      // A plain snapshot needs no key: it reads as before, attached or not.
      if (!isSealedSnapshot(text)) return text;
      await ready();
      return inner.revealSnapshot(snapshot, text);
    },
  };

  async function applyReceipts(store: EventStore): Promise<void> {
    const entries: ErasedEntry[] = [];
    for await (const event of store.readAll({ types: [ERASURE_RECEIPT] })) {
      if (!isReceiptShaped(event.data)) throw new ErasureReceiptError(event.position, 'malformed');
      if (!verifyReceiptMac(receiptKey, event.data)) throw new ErasureReceiptError(event.position, 'mac');
      entries.push(...ledgerEntries(event.data));
    }
    if (entries.length > 0) await keyStorage.applyErased(entries);
  }

  const catchUp = (store: EventStore) => catchUpSubjectIndex(store, keyStorage, personalData, keyring.hashOf);

  /** The receipt in the subject's stream that covers `categories` (null: all), if any. */
  async function coveringReceipt(store: EventStore, stream: string, categories: readonly string[] | null) {
    const events = await store.readStream(stream);
    const covering = events.find((event) => {
      if (event.type !== ERASURE_RECEIPT || !verifyReceiptMac(receiptKey, event.data)) return false;
      const held = (event.data as ErasureReceipt).categories;
      return held === null || (categories !== null && categories.every((category) => held.includes(category)));
    });
    return { receipt: covering?.data as ErasureReceipt | undefined, version: events.at(-1)?.version ?? 0 };
  }

  return {
    guard,

    async attach(store) {
      applying ??= applyReceipts(store).then(open, (error: unknown) => {
        fail(error);
        throw error;
      });
      await applying;
      await catchUp(store);
    },

    async forgetSubject(store, subjectId, forgetOptions = {}) {
      await ready();
      const subjectHash = keyring.hashOf(subjectId);
      // Sorted: a receipt names its categories in one order, however they were asked for.
      const checked = checkCategories(forgetOptions.categories);
      const categories = checked === null ? null : [...checked].sort();
      const stream = erasureStream(subjectHash);
      const before = await coveringReceipt(store, stream, categories);
      if (before.receipt !== undefined) return before.receipt;
      // The ledger first, and the keys gone from the disk; only then the receipt. A crash in
      // between leaves the subject forgotten without a receipt: a second call appends one
      // (with the key ids the storage still reports deleting, none by then).
      const forgotten = await keyring.forget(subjectId, categories === null ? {} : { categories });
      const receipt = signReceipt(receiptKey, { subjectHash, categories: forgotten.categories, keyIds: forgotten.keyIds, at: now() });
      try {
        await store.appendToStream(
          stream,
          [
            { type: SUBJECT_FORGOTTEN, data: { subjectHash, categories: receipt.categories } },
            { type: ERASURE_RECEIPT, data: receipt },
          ],
          { expectedVersion: before.version === 0 ? 'no_stream' : before.version },
        );
      } catch (error) {
        // Another process forgot the subject at the same time: its receipt answers, if it covers these.
        if (!(error instanceof ConcurrencyError)) throw error;
        const raced = await coveringReceipt(store, stream, categories);
        if (raced.receipt === undefined) throw error;
        return raced.receipt;
      }
      return receipt;
    },

    async exportSubject(store, subjectId) {
      await ready();
      const subjectHash = keyring.hashOf(subjectId);
      await catchUp(store);
      const fields: ExportedField[] = [];
      for (const event of await readPositions(store, personalData.types, await keyStorage.positionsOf(subjectHash))) {
        fields.push(...fieldsAbout(event, subjectHash));
      }
      const ledger = (await keyStorage.erasedEntries()).filter((entry) => entry.subjectHash === subjectHash);
      const forgotten = ledger.some((entry) => entry.category === null) ? 'all' : ledger.map((entry) => entry.category!);
      return { subjectHash, forgotten, fields };
    },

    verifyReceipt: (receipt) => verifyReceiptMac(receiptKey, receipt),
  };

  function fieldsAbout(event: RecordedEvent, subjectHash: string): ExportedField[] {
    return personalData.fieldsOf(event.type).flatMap((field) => {
      const value = valueAt(event.data, field.segments);
      const subjectId = value === undefined ? undefined : subjectOrUndefined(field, event);
      if (subjectId === undefined || keyring.hashOf(subjectId) !== subjectHash) return [];
      const where = { position: event.position, eventId: event.eventId, streamId: event.streamId, type: event.type, path: field.path, category: field.category };
      return [isErased(value) ? { ...where, erased: true as const } : { ...where, value }];
    });
  }
}


/** The ledger lines of a receipt: the whole subject, or one per category. */
function ledgerEntries(receipt: ErasureReceipt): ErasedEntry[] {
  if (receipt.categories === null) return [{ subjectHash: receipt.subjectHash, category: null, erasedAt: receipt.at }];
  return receipt.categories.map((category) => ({ subjectHash: receipt.subjectHash, category, erasedAt: receipt.at }));
}
