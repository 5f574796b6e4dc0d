// Crypto-shredding: personal fields sealed under one data key per (subject, category),
// the keys wrapped under a key-encryption key, and a subject forgotten by deleting its
// keys. The public surface of src/privacy, exported by name.

export {
  assertCategory,
  definePersonalData,
  subjectIdOf,
  type PersonalDataDeclarations,
  type PersonalDataRegistry,
  type PersonalEvent,
  type PersonalField,
  type PersonalFieldDeclaration,
} from './declarations.js';
export { ENVELOPE_VERSION, isEnvelope, openField, sealField, type Envelope, type OpenFieldOptions, type SealFieldOptions } from './envelope.js';
export { copyKeyStorage, type KeyStorageCopy } from './copy-keys.js';
export { erasedField, isErased, type ErasedField } from './erased.js';
export { KEK_VARIABLE, kekFromBase64, loadKek, type KeyEncryptionKey, type LoadKekOptions } from './kek.js';
export { openKeyring, type DataKey, type ForgetResult, type Keyring, type KeyringOptions, type RotateDataKeysResult, type RotateResult } from './keyring.js';
export { personalDataGuard, type SnapshotSealingGuard } from './personal-data-guard.js';
export {
  isSealedSnapshot,
  openSnapshotState,
  SEALED_SNAPSHOT_VERSION,
  sealedSnapshotKeyIds,
  sealSnapshotState,
} from './sealed-snapshot.js';
export { erasureStream, openPrivacy, type ExportedField, type Privacy, type PrivacyOptions, type SubjectExport } from './privacy.js';
export { ERASURE_RECEIPT, SUBJECT_FORGOTTEN, receiptText, type ErasureReceipt } from './receipts.js';
export { SUBJECT_INDEX_SETTING } from './subject-index.js';
export { subjectHash } from './subject-hash.js';
export { kekCheck, kekId, unwrapKey, wrapKey } from './wrap.js';
