// The URL each of Eventline's stores opens in a scratch: this process opens it
// (eventline.ts), and so does the Lab, a process of its own (L1, L2).

import type { Scratch } from '../workloads/adapter.js';

const URLS: Record<string, (scratch: Scratch) => string> = {
  memory: () => 'memory:',
  sqlite: (scratch) => `sqlite:${scratch.sqlitePath}`,
  'sqlite-full': (scratch) => `sqlite:${scratch.sqlitePath}?synchronous=full`,
  postgres: (scratch) => `${scratch.postgresUrl}?schema=${scratch.name}`,
};

export function storeUrl(target: string, scratch: Scratch): string {
  const url = URLS[target];
  if (!url) throw new Error(`${target} is not one of Eventline's stores`);
  return url(scratch);
}
