// Lines out, buffered: a listing of a million events becomes a few hundred writes,
// and waits for the reader (backpressure) instead of piling up in memory.

import type { Writer } from './io.js';

export interface Output {
  /** True with --json: commands print records, not prose. */
  readonly json: boolean;
  /** One line of text (the newline is added). */
  line(text: string): Promise<void>;
  /** One JSON value on its own line. */
  record(value: unknown): Promise<void>;
  /** Writes whatever is buffered. */
  flush(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

export function createOutput(writer: Writer, json: boolean): Output {
  let buffer = '';

  async function flush(): Promise<void> {
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    await writer.write(text);
  }

  async function line(text: string): Promise<void> {
    buffer += text + '\n';
    if (buffer.length >= FLUSH_AT) await flush();
  }

  return {
    json,
    line,
    record: (value) => line(JSON.stringify(value)),
    flush,
  };
}
