// NATS for tests: the server EVENTLINE_NATS_URL names, with JetStream streams of each
// test's own, deleted afterwards. Without that variable, or with a server that does not
// answer, the tests are skipped with a notice, except under CI=true, where that is a
// failure.

import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { loadNats } from '../workflows/outbox/nats-client.js';

/** Why the NATS tests cannot run here, or undefined when they can. */
export async function natsUnavailable(env: NodeJS.ProcessEnv = process.env): Promise<{ reason: string; required: boolean } | undefined> {
  const required = env.CI === 'true';
  const url = env.EVENTLINE_NATS_URL?.trim();
  if (!url) {
    return {
      reason: required
        ? 'EVENTLINE_NATS_URL is not set, and CI=true needs the NATS tests to run'
        : 'EVENTLINE_NATS_URL is not set (e.g. nats://127.0.0.1:4222); skipping the NATS tests',
      required,
    };
  }
  const problem = await probe(url);
  if (problem === undefined) return undefined;
  return { reason: `the NATS server at ${url} does not answer (${problem}); ${required ? 'CI=true needs the NATS tests to run' : 'skipping the NATS tests'}`, required };
}

/** Connects to the server and waits for its INFO line. */
function probe(url: string, timeoutMs = 2000): Promise<string | undefined> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url.includes('://') ? url : `nats://${url}`);
    host = parsed.hostname || '127.0.0.1';
    port = Number(parsed.port || 4222);
  } catch {
    return Promise.resolve('not a URL');
  }
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer in ${timeoutMs} ms`));
    socket.once('error', (error) => done(error.message));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('INFO') ? undefined : 'not a NATS server'));
  });
}

export interface NatsTestStreams {
  /** A JetStream stream name and a subject prefix no other test uses; the stream itself is made by whoever publishes first. */
  fresh(): { stream: string; prefix: string };
  /** Deletes every stream `fresh` named that exists. */
  deleteAll(): Promise<void>;
}

export function natsTestStreams(url: string): NatsTestStreams {
  const streams: string[] = [];
  return {
    fresh() {
      const id = randomBytes(6).toString('hex');
      streams.push(`T_${id}`);
      return { stream: `T_${id}`, prefix: `t${id}` };
    },
    async deleteAll() {
      if (streams.length === 0) return;
      const { transport, jetstream } = await loadNats();
      const nc = await transport.connect({ servers: url });
      try {
        const jsm = await jetstream.jetstreamManager(nc);
        for (const stream of streams.splice(0)) await jsm.streams.delete(stream).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  };
}
