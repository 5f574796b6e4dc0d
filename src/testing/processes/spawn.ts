// Starts a helper script of the suite as a real OS process, with the same loader
// flags as this one (so it also runs from TypeScript sources).

import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const extension = extname(fileURLToPath(import.meta.url));

export interface Child {
  /** Resolves with the last line the child printed, parsed as JSON. */
  result: Promise<unknown>;
  /** Resolves when the child prints `line`. */
  printed(line: string): Promise<void>;
  readonly pid: number;
  /** Sends `signal` (default SIGKILL: no clean-up at all) and resolves once the child has gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startProcess(script: 'writer' | 'hold' | 'projector' | 'outbox-relay' | 'workflow-runner' | 'pruner', args: readonly string[]): Child {
  const path = fileURLToPath(new URL(`./${script}${extension}`, import.meta.url));
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--test'));
  const child = spawn(process.execPath, [...flags, path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting = new Map<string, () => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const [line, resolve] of waiting) if (stdout.split('\n').includes(line)) resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
      const lines = stdout.trim().split('\n');
      resolve(JSON.parse(lines[lines.length - 1]!));
    });
  });
  return {
    result,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      // A killed child has no result to give: that is expected, not a failure.
      if (signal === 'SIGKILL') result.catch(() => {});
      child.kill(signal);
      await exited;
    },
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.split('\n').includes(line)) return resolve();
        waiting.set(line, resolve);
        result.then(() => reject(new Error(`${script} ended without printing ${line}`)), reject);
      }),
  };
}
