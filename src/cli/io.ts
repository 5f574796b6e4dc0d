// What run() needs from the outside world, as plain functions: tests pass string
// collectors, main.ts passes this process's streams.

import { once } from 'node:events';
import { OutputClosedError } from './errors.js';

export interface Writer {
  /** Resolves once the text may be followed by more (backpressure). */
  write(text: string): void | Promise<void>;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Reads all of standard input, for `--data @-`. Default: this process's stdin. */
  readStdin?: () => Promise<string>;
}

export function processIo(): Io {
  return {
    stdout: streamWriter(process.stdout),
    stderr: streamWriter(process.stderr),
    env: process.env,
    readStdin: () => readAll(process.stdin),
  };
}

/** A Writer over a Node stream that waits for 'drain' and turns EPIPE into OutputClosedError. */
export function streamWriter(stream: NodeJS.WritableStream): Writer {
  let failure: unknown;
  // Without a listener an EPIPE (the reader went away) would crash the process with a stack.
  stream.on('error', (error) => {
    failure = error;
  });
  const closed = (error: unknown) =>
    (error as { code?: string }).code === 'EPIPE' ? new OutputClosedError({ cause: error }) : error;
  return {
    async write(text) {
      if (failure !== undefined) throw closed(failure);
      if (stream.write(text)) return;
      try {
        await once(stream, 'drain');
      } catch (error) {
        throw closed(error);
      }
    },
  };
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
