// The Eventline Lab as L1 and L2 run it: `node --import tsx lab/main.ts`, a process of
// its own on a scratch store, on a free port, its request log thrown away.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STARTED_WITHIN_MS = 30_000;
const DRAINED_WITHIN_MS = 15_000;
const LISTENING = /^Eventline Lab listening on (http:\/\/\S+) \(store .*\)$/m;

export interface Lab {
  url: string;
  /** The process's peak RSS so far (Linux), if it can be read. */
  peakRssMB(): number | undefined;
  /** Set once the process has ended, with its exit code or signal. */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL if it has not drained in time; throws if it did not exit 0. */
  stop(): Promise<void>;
}

export async function startLab(storeUrl: string): Promise<Lab> {
  // Only the settings given here: none of the caller's EVENTLINE_*, HOST or PORT.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('EVENTLINE_') && name !== 'HOST' && name !== 'PORT'));
  // lab/main.ts has no setting to turn its per-request log off: it goes to stderr, so stderr goes nowhere.
  const child = spawn(process.execPath, ['--import', 'tsx', 'lab/main.ts'], {
    cwd: ROOT,
    // A key-encryption key of its own for the authors' personal data: no key file is made.
    env: { ...env, HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: storeUrl, EVENTLINE_PROJECTIONS: 'async', EVENTLINE_KEK: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // A bench child that dies must not leave the Lab serving.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let ended: string | undefined;
  const exit = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = signal ?? String(code);
      process.removeListener('exit', killOnExit);
      resolve(ended);
    }),
  );

  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-4_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Lab did not start within ${STARTED_WITHIN_MS / 1000} s`)), STARTED_WITHIN_MS);
    const look = () => {
      const match = LISTENING.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', look);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', look);
    void exit.then((how) => {
      clearTimeout(timer);
      reject(new Error(`the Lab exited (${how}) before it listened; run it by hand to see why: EVENTLINE_STORE=${storeUrl} npm start`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });

  return {
    url,
    peakRssMB: () => peakRssMB(child.pid),
    exited: () => ended,
    async stop() {
      if (ended !== undefined) throw new Error(`the Lab had exited (${ended}) before it was stopped`);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), DRAINED_WITHIN_MS);
      const how = await exit;
      clearTimeout(timer);
      if (how !== '0') throw new Error(`the Lab exited (${how}) on SIGTERM instead of draining`);
    },
  };
}

function peakRssMB(pid: number | undefined): number | undefined {
  try {
    const kB = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kB === undefined ? undefined : Number(kB) / 1024;
  } catch {
    return undefined;
  }
}
