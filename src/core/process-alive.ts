// Whether a process on this machine is still running: how a lock that names its holder's
// process id (a prune's archive folder, a SQLite store's maintenance lock) tells a holder
// that died from one at work.

export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it is there, another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
