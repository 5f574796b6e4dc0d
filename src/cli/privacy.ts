// Crypto-shredding from the shell: the key storage that goes with the store URL, the
// key-encryption key (KEK) from the environment or a key file, and the application's
// declarations of personal data from its own module. Every failure is one line that
// names no subject, payload or key material: a KEK only by its id. Where the KEK comes
// from is src/kek's (resolveKek), shared with the Lab.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSealed, resolveKek } from '../kek/index.js';
import { KEY_FILE_NAME, openKeyStorage } from '../open/open-key-storage.js';
import { openEventStore } from '../open/open-store.js';
import { definePersonalData, type PersonalDataRegistry } from '../privacy/declarations.js';
import { openKeyring } from '../privacy/keyring.js';
import { openPrivacy, type Privacy } from '../privacy/privacy.js';
import type { EventStore } from '../store/event-store.js';
import type { KeyStorage } from '../store/key-storage.js';
import { isSqliteUrl, parseSqliteUrl } from '../stores/sqlite/url.js';
import { UsageError } from './errors.js';
import { importUserModule } from './user-module.js';
import { quote } from './values.js';

/** The key storage of the store at `url`, closed again if `use` fails. */
export async function withKeyStorage<T>(url: string, use: (keyStorage: KeyStorage) => Promise<T>): Promise<T> {
  const keyStorage = await openKeyStorage(url);
  try {
    return await use(keyStorage);
  } catch (error) {
    await keyStorage.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The keyed hash of a subject under the key storage of the store at `url`, or null when
 * no key has sealed that key storage yet (then no subject has a hash, and no key file is
 * made to find out; on SQLite no keys.db either).
 */
export async function subjectHashOf(url: string, subjectId: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  if (isSqliteUrl(url) && !existsSync(join(dirname(parseSqliteUrl(url).path), KEY_FILE_NAME))) return null;
  return withKeyStorage(url, async (keyStorage) => {
    let hash: string | null = null;
    if (await isSealed(keyStorage)) {
      hash = (await openKeyring(keyStorage, (await resolveKek(keyStorage, env)).key)).hashOf(subjectId);
    }
    await keyStorage.close();
    return hash;
  });
}

export interface PrivateStore {
  /** Opened with the privacy guard and attached; its close() closes the key storage too. */
  store: EventStore;
  privacy: Privacy;
}

/**
 * Opens the store at `url` for crypto-shredding: the key storage, the KEK, openPrivacy,
 * the store with its guard, and attach. The store is opened first, so a mistyped URL
 * makes no key storage beside nothing.
 */
export async function openPrivateStore(
  url: string,
  { create, env, personalData }: { create: boolean; env: NodeJS.ProcessEnv; personalData: PersonalDataRegistry },
): Promise<PrivateStore> {
  // Only to refuse a store that is not there before anything is made beside it.
  await (await openEventStore(url, { create })).close();
  return withKeyStorage(url, async (keyStorage) => {
    const kek = await resolveKek(keyStorage, env);
    const privacy = await openPrivacy({ keyStorage, kek: kek.key, personalData });
    const guarded = await openEventStore(url, { create, payloads: privacy.guard });
    try {
      await privacy.attach(guarded);
    } catch (error) {
      await guarded.close().catch(() => undefined);
      throw error;
    }
    const close = async () => {
      try {
        await guarded.close();
      } finally {
        await keyStorage.close();
      }
    };
    // The store's own properties (a getter among them) with close replaced.
    const store = Object.create(Object.prototype, {
      ...Object.getOwnPropertyDescriptors(guarded),
      close: { value: close, enumerable: true },
    }) as EventStore;
    return { store, privacy };
  });
}

/** No declarations: enough to forget a subject, whose keys are found by its hash. */
export const NO_PERSONAL_DATA: PersonalDataRegistry = definePersonalData({});

/**
 * The registry a module exports as `personalData` or by default, made by
 * definePersonalData; every failure is a usage error of --personal-data.
 */
export async function loadPersonalData(path: string): Promise<PersonalDataRegistry> {
  const module = await importUserModule('personal-data', path);
  const candidate = module.personalData ?? module.default;
  if (!isRegistry(candidate)) {
    throw new UsageError(
      `--personal-data: ${quote(path)} exports no personal-data declarations (export what definePersonalData(…) returns as "personalData" or as the default)`,
    );
  }
  return candidate;
}

function isRegistry(value: unknown): value is PersonalDataRegistry {
  const r = value as Partial<PersonalDataRegistry> | null;
  return (
    typeof r === 'object' && r !== null && Array.isArray(r.types) && r.types.every((type) => typeof type === 'string') &&
    typeof r.fieldsOf === 'function'
  );
}
