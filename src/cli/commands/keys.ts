// `eventline keys rotate`: re-wraps every data key of the store's key storage under a new
// key-encryption key (KEK). No event is touched: only the wrapped keys and the secrets
// sealed beside them change, so the old KEK (and every backup of it) opens nothing made
// from now on. Run it with the application stopped: a process still holding the old KEK
// would wrap new keys under it.
//
// `eventline keys rotate --data-keys`: gives every subject and category a new data key
// for new appends, under the KEK in use (Keyring.rotateDataKeys). No event is touched
// either: the retired keys keep opening what they sealed until their subjects are
// forgotten. The application may keep running: its processes take the new keys once
// their current-key cache has passed.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileDigest } from '../../backup/manifest.js';
import { backupKeyStorage } from '../../open/key-backup.js';
import { keyStorageLocation } from '../../open/store-location.js';
import { KEK_FILE_VARIABLE, kekFile, resolveKek } from '../../kek/index.js';
import { KEK_VARIABLE, kekFromBase64, loadKek, type KeyEncryptionKey } from '../../privacy/kek.js';
import { copyKeyStorage } from '../../privacy/copy-keys.js';
import { openKeyring, type Keyring } from '../../privacy/keyring.js';
import { commandAction, stringValue } from '../args.js';
import type { Command, Task } from '../command.js';
import { UsageError } from '../errors.js';
import { withKeyStorage } from '../privacy.js';

/** The variable that holds the new KEK, base64, when no --new-kek-file is given. */
export const NEW_KEK_VARIABLE = 'EVENTLINE_NEW_KEK';

const ACTION_OPTIONS = { rotate: ['new-kek-file', 'data-keys'], backup: [], copy: ['to'] } as const;

/** Where the new KEK comes from: its bytes, or a key file read (or made) once the old KEK has been checked. */
type NewKek = { key: Buffer } | { file: string };

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Rotate the key-encryption key that wraps the data keys of personal data, or the data keys',
  synopsis: 'rotate (--new-kek-file <path> | with $EVENTLINE_NEW_KEK set | --data-keys) | backup <file> | copy --to <store url>',
  positionals: ['action', 'file?'],
  options: {
    'new-kek-file': { type: 'string' },
    'data-keys': { type: 'boolean' },
    to: { type: 'string' },
  },
  optionHelp: [
    ['rotate', 'Re-wrap every data key (and the secrets kept with them) under a new key-encryption'],
    ['', 'key; no event is touched. Stop the application first'],
    ['  --new-kek-file <path>', 'The new key file; made with 32 random bytes and mode 0600 if missing.'],
    ['', `Without it: $${NEW_KEK_VARIABLE} (base64 of 32 bytes)`],
    ['', `The current key: $${KEK_VARIABLE}, else the key file $${KEK_FILE_VARIABLE}, else ./eventline.kek`],
    ['  --data-keys', 'Instead: a new data key for every subject and category, for new appends;'],
    ['', 'no new key-encryption key, no event touched. The old keys keep opening what'],
    ['', 'they sealed until their subjects are forgotten. Not with a new key-encryption key'],
    ['backup <file>', 'A consistent copy of the key storage (keys.db, or the <schema>_keys schema by pg_dump),'],
    ['', 'which a backup of events never holds; keep it apart from them (docs/operations.md)'],
    ['copy --to <store url>', 'Copy the key storage into the one of the store at <url> (after eventline copy, before'],
    ['', 'the application starts there): settings, erased ledger and every data key, still wrapped'],
  ],
  prints: 'backup: where the copy came from, its size and SHA-256; with --json {"file","source","bytes","sha256"}.\n' +
    'copy: how many data keys, settings and ledger lines were copied; with --json {"keys","settings","erased"}.\n' +
    'rotate: how many data keys were re-wrapped, the new key\'s id, and that the old key is no longer\n' +
    'needed (its file is not deleted). With --json: {"rewrapped","kekId","previousKekId","kekFile"}\n' +
    '(kekFile null when the new key came from the environment).\n' +
    'With --data-keys: how many new data keys were made; with --json: {"rotated"}.',
  examples: [
    'eventline keys rotate --new-kek-file ./secrets/eventline-2027.kek && export EVENTLINE_KEK_FILE=./secrets/eventline-2027.kek',
    `${NEW_KEK_VARIABLE}="$(openssl rand -base64 32)" eventline keys rotate --json`,
    'eventline keys rotate --data-keys',
    'eventline --store sqlite:./data/blog.db keys copy --to postgres://localhost/blog',
  ],

  prepare({ values, positionals, env }) {
    const [actionText, fileText] = positionals as [string, string | undefined];
    const action = commandAction(keysCommand, ACTION_OPTIONS, actionText, values);
    if (action === 'backup') return backupTask(fileText);
    if (action === 'copy') return copyTask(fileText, stringValue(values, 'to'));
    if (fileText !== undefined) throw new UsageError(`keys rotate: unexpected argument ${JSON.stringify(fileText)}`);
    const file = stringValue(values, 'new-kek-file');
    const text = env[NEW_KEK_VARIABLE];
    if (values['data-keys'] === true) {
      if (file !== undefined || text !== undefined) {
        throw new UsageError(`keys rotate takes --data-keys or a new key-encryption key (--new-kek-file or ${NEW_KEK_VARIABLE}), not both`);
      }
      return rotateDataKeysTask(env);
    }
    if (file !== undefined && text !== undefined) throw new UsageError(`keys rotate takes --new-kek-file or ${NEW_KEK_VARIABLE}, not both`);
    if (file === undefined && text === undefined) {
      throw new UsageError(`keys rotate needs --new-kek-file <path> or ${NEW_KEK_VARIABLE} (a new key-encryption key), or --data-keys`);
    }
    if (file === '') throw new UsageError('--new-kek-file must not be empty');
    return rotateTask(file === undefined ? { key: kekFromBase64(text!, NEW_KEK_VARIABLE) } : { file: resolve(process.cwd(), file) }, env);
  },
};

/** Runs `use` on the keyring of the store's key storage, opened under the KEK in use (checked first), and closes it. */
function withKeyring<T>(url: string, env: NodeJS.ProcessEnv, use: (keyring: Keyring, current: KeyEncryptionKey) => Promise<T>): Promise<T> {
  return withKeyStorage(url, async (keyStorage) => {
    const current = await resolveKek(keyStorage, env);
    const result = await use(await openKeyring(keyStorage, current.key), current);
    await keyStorage.close();
    return result;
  });
}

function rotateTask(next: NewKek, env: NodeJS.ProcessEnv): Task {
  return async ({ url, out }) => {
    const { result, previousKekId } = await withKeyring(url, env, async (keyring, current) => {
      // The current KEK is checked first: a wrong one makes no new key file.
      const key = 'key' in next ? next.key : (await loadKek({ keyFile: next.file, env: {} })).key;
      if (key.equals(current.key)) throw new UsageError(`keys rotate: the new key-encryption key is the one in use (${keyring.kekId})`);
      return { result: await keyring.rotate(key), previousKekId: current.id };
    });
    const newFile = 'file' in next ? next.file : null;
    if (out.json) return out.record({ rewrapped: result.rewrapped, kekId: result.kekId, previousKekId, kekFile: newFile });
    await out.line(`re-wrapped ${result.rewrapped} data key${result.rewrapped === 1 ? '' : 's'} under key-encryption key ${result.kekId}`);
    const from = newFile === null ? `${KEK_VARIABLE} as ${NEW_KEK_VARIABLE} holds it` : `${KEK_FILE_VARIABLE}=${newFile}`;
    const old = env[KEK_VARIABLE] !== undefined ? `the old ${KEK_VARIABLE}` : `the old key file ${kekFile(env)}`;
    await out.line(`${old} (${previousKekId}) is no longer needed and opens nothing now; it was not deleted. From now on set ${from}`);
  };
}

function backupTask(fileText: string | undefined): Task {
  if (fileText === undefined || fileText === '') throw new UsageError('keys backup needs <file>');
  const file = resolve(process.cwd(), fileText);
  if (existsSync(file)) throw new UsageError(`keys backup: ${fileText} exists already; name a new file`);
  return async ({ url, out }) => {
    const source = await backupKeyStorage(url, file);
    const { sha256, bytes } = await fileDigest(file);
    if (out.json) return out.record({ file, source, bytes, sha256 });
    await out.line(`backed up the key storage (${source}) to ${file}: ${bytes} bytes, sha256 ${sha256}; keep it apart from the event backups`);
  };
}

function copyTask(extra: string | undefined, to: string | undefined): Task {
  if (extra !== undefined) throw new UsageError(`keys copy: unexpected argument ${JSON.stringify(extra)}`);
  if (to === undefined || to === '') throw new UsageError('keys copy needs --to <store url>');
  return async ({ url, out }) => {
    const here = keyStorageLocation(url);
    if (here !== undefined && here === keyStorageLocation(to)) throw new UsageError('keys copy: --to leads to the key storage the keys come from');
    const copied = await withKeyStorage(url, (from) =>
      withKeyStorage(to, async (target) => {
        const result = await copyKeyStorage(from, target);
        await target.close();
        await from.close();
        return result;
      }),
    );
    if (out.json) return out.record({ ...copied });
    await out.line(`copied ${copied.keys} data key${copied.keys === 1 ? '' : 's'}, ${copied.settings} settings and ${copied.erased} erased-ledger lines into the target store's key storage`);
  };
}

function rotateDataKeysTask(env: NodeJS.ProcessEnv): Task {
  return async ({ url, out }) => {
    const { rotated } = await withKeyring(url, env, (keyring) => keyring.rotateDataKeys());
    if (out.json) return out.record({ rotated });
    await out.line(
      `made ${rotated} new data key${rotated === 1 ? '' : 's'}; events sealed before keep opening with the retired keys until their subjects are forgotten`,
    );
  };
}
