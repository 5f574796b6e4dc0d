// E1: one of Eventline's stores opened a second time, with the two personal fields of the
// bench's events sealed under a key per author, and the key storage that goes with it.
// The key-encryption key is drawn for the run: the scratch is thrown away after it.

import { randomBytes } from 'node:crypto';
import { definePersonalData, openEventStore, openKeyStorage, openPrivacy, type EventStore, type PersonalEvent } from '../../src/index.js';
import type { PersonalDataStore } from '../workloads/adapter.js';
import { PERSONAL_TYPES, type PersonalPostData } from '../workloads/events.js';

const authorOf = (event: PersonalEvent<PersonalPostData>) => event.data.authorId;
const fields = [
  { path: 'authorName', subject: authorOf, category: 'profile' },
  { path: 'author', subject: authorOf, category: 'contact' },
];

/** The author's name is profile data, the email contact data: two keys per author. */
const personalData = definePersonalData<Record<(typeof PERSONAL_TYPES)[number], PersonalPostData>>(
  Object.fromEntries(PERSONAL_TYPES.map((type) => [type, fields])),
);

/** The store at `url` opened once more with the guard, how to forget an author in it, and how to close both. */
export interface SealedStore {
  store: EventStore;
  forget: PersonalDataStore['forget'];
  close(): Promise<void>;
}

export async function openSealedStore(url: string): Promise<SealedStore> {
  const keyStorage = await openKeyStorage(url);
  const privacy = await openPrivacy({ keyStorage, kek: randomBytes(32), personalData });
  let store: EventStore | undefined;
  try {
    store = await openEventStore(url, { payloads: privacy.guard });
    await privacy.attach(store);
  } catch (error) {
    await store?.close();
    await keyStorage.close();
    throw error;
  }
  const sealed = store;
  return {
    store: sealed,
    async forget(authorId) {
      const receipt = await privacy.forgetSubject(sealed, authorId);
      // SubjectForgotten and the ErasureReceipt, in one append.
      return { keysDeleted: receipt.keyIds.length, eventsAppended: 2 };
    },
    async close() {
      await sealed.close();
      await keyStorage.close();
    },
  };
}
