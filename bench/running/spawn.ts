// Runs a bench script in a child process of its own, so its peak RSS is its own.
// The child gets the parent's execArgv (tsx stays loaded) and talks over IPC.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildHandle<T> {
  child: ChildProcess;
  /** The first message whose `kind` is 'result', or a rejection with the child's last output. */
  result: Promise<T>;
  /** Settles when the process has ended, so the next measurement runs alone. */
  exited: Promise<void>;
}

const TAIL_CHARS = 2_000;

export function spawnScript<T>(
  script: URL,
  input: unknown,
  options: { timeoutMs: number; onMessage?: (message: unknown) => void; nodeArgs?: readonly string[] },
): ChildHandle<T> {
  const args = [...process.execArgv, ...(options.nodeArgs ?? []), fileURLToPath(script), JSON.stringify(input)];
  const child = spawn(process.execPath, args, {
    // stdout too is piped: a peer that logs must not garble the parent's --json lines.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const result = new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      fail(new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s`));
      child.kill('SIGKILL');
    }, options.timeoutMs);
    function fail(error: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    }
    child.on('message', (message: { kind?: string }) => {
      if (message?.kind === 'result' && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve(message as T);
      } else {
        options.onMessage?.(message);
      }
    });
    child.on('error', (error) => fail(error));
    child.on('exit', (code, signal) => {
      const lastLine = tail.trim().split('\n').slice(-3).join(' | ');
      fail(new Error(`exited (${signal ?? code}) without a result${lastLine ? `: ${lastLine}` : ''}`));
    });
  });
  return { child, result, exited };
}

/** In a child: the JSON argument the parent passed. */
export function childInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this script runs as a child of bench/main.ts');
  return JSON.parse(raw) as T;
}

/** In a child: sends the result and lets the process end once IPC has flushed. */
export function sendResult(result: object): Promise<void> {
  // Run by hand (no IPC channel), for debugging one measurement: print it.
  if (!process.send) {
    console.log(JSON.stringify(result));
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    process.send!({ kind: 'result', ...result }, () => {
      process.disconnect?.();
      resolve();
    });
  });
}
