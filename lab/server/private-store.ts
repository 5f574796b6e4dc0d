// The store the Lab serves, with its personal data sealed: the key storage that goes with
// the store URL, the KEK as the eventline CLI finds it (src/kek), the blog's declarations
// of personal data, the store opened with the guard, and the guard attached.

import { openEventStore, openKeyStorage, openPrivacy, type EventStore, type Privacy } from '../../src/index.js';
import { resolveKek } from '../../src/kek/index.js';
import { authorPersonalData } from '../../examples/blog/index.js';

export interface PrivateStore {
  store: EventStore;
  privacy: Privacy;
  /** Closes the store, then its key storage. */
  close(): Promise<void>;
}

/**
 * @example
 * const { store, privacy, close } = await openPrivateStore('sqlite:./data/blog.db', process.env);
 */
export async function openPrivateStore(url: string, env: NodeJS.ProcessEnv, options: { warn?: (line: string) => void } = {}): Promise<PrivateStore> {
  const keyStorage = await openKeyStorage(url);
  try {
    const kek = await resolveKek(keyStorage, env, options);
    const privacy = await openPrivacy({ keyStorage, kek: kek.key, personalData: authorPersonalData });
    const store = await openEventStore(url, { payloads: privacy.guard });
    await privacy.attach(store).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    return {
      store,
      privacy,
      async close() {
        try {
          await store.close();
        } finally {
          await keyStorage.close();
        }
      },
    };
  } catch (error) {
    await keyStorage.close().catch(() => undefined);
    throw error;
  }
}
