// Restoring a SQLite backup (a file VACUUM INTO wrote): the file is copied beside its
// place and renamed into it, so a store is either there whole or not at all. A target
// that holds anything is refused: a restore never overwrites a store.

import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '../../core/errors.js';

export function restoreSqliteFile(path: string, backup: string): void {
  if (path === ':memory:') throw new ValidationError('into', 'a SQLite store in memory cannot be restored into; name a file');
  for (const file of [path, `${path}-wal`]) {
    if (existsSync(file) && statSync(file).size > 0) {
      throw new ValidationError('into', `${path} is not empty: a backup is restored only where there is no store yet`);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  try {
    copyFileSync(backup, partial);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
