// Backups of a store, with a manifest, and taking a restored store into use. See docs/operations.md.

export { adoptRestoredStore, backupStore } from './backup.js';
export type { RestoredStore } from './backup.js';
export { BACKUP_FORMAT, manifestOf, verifyBackup } from './manifest.js';
export type { BackupManifest } from './manifest.js';
