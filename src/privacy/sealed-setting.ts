// A secret kept as a setting of the key storage (the subject secret, the receipt key):
// wrapped under the key-encryption key and prefixed with that key's id, so a rotation
// stopped half way is told apart from a wrong KEK.

import { KeyEncryptionKeyError } from '../core/errors.js';
import { kekId, unwrapKey, wrapKey } from './wrap.js';

const SECRET_BYTES = 32;

/** The setting `name` holding `secret`: the id of the KEK that wraps it, a colon, the wrapped secret (bound to `name`). */
export function sealSetting(kek: Buffer, name: string, secret: Buffer): string {
  return `${kekId(kek)}:${wrapKey(kek, name, secret)}`;
}

/** The id of the KEK a sealed setting is wrapped under. */
export function sealedUnder(setting: string, name: string): string {
  const colon = setting.indexOf(':');
  if (colon < 0) throw new KeyEncryptionKeyError('malformed', `the setting ${name} is not in the form this Eventline writes`);
  return setting.slice(0, colon);
}

/** Opens a setting sealed by `sealSetting` under the current KEK. */
export function openSetting(setting: string, name: string, current: { kek: Buffer; id: string }): Buffer {
  const wrappedUnder = sealedUnder(setting, name);
  if (wrappedUnder !== current.id) {
    // The KEK check passed, so only a rotation stopped half way leaves the two apart.
    throw new KeyEncryptionKeyError('wrong', `the setting ${name} is wrapped under key-encryption key ${wrappedUnder}, not under ${current.id}: finish the rotation that was interrupted`);
  }
  const secret = unwrapKey(current.kek, name, setting.slice(wrappedUnder.length + 1));
  if (secret.length !== SECRET_BYTES) throw new KeyEncryptionKeyError('malformed', `the setting ${name} is not ${SECRET_BYTES} bytes`);
  return secret;
}
