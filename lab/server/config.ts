// The Lab's settings, from the environment. A setting that cannot work is refused
// here, with one line saying why, before anything is opened.

import { defaultStoreUrl } from '../../src/index.js';
import { DEFAULT_NATS_STREAM, natsUrlFromEnv } from '../../src/workflows/outbox/index.js';
import { assertStreamName } from '../../src/workflows/outbox/nats.js';
import type { ProjectionMode } from './context.js';

/** Where archives go when EVENTLINE_ARCHIVE_DIR names no folder: beside the default store's ./data. */
export const DEFAULT_ARCHIVE_DIR = './archives';

export interface LabConfig {
  host: string;
  port: number;
  storeUrl: string;
  token: string | undefined;
  projections: ProjectionMode;
  /** The NATS server the outbox relay publishes to; without one no relay runs. */
  natsUrl: string | undefined;
  /** The JetStream stream the relay publishes into. */
  natsStream: string;
  /** Where the retention panel's prune runs write their archives. */
  archiveDir: string;
}

export class ConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function readConfig(env: NodeJS.ProcessEnv): LabConfig {
  const host = env.HOST || '127.0.0.1';
  const portText = env.PORT || '3000';
  const port = Number(portText);
  if (!/^[0-9]{1,5}$/.test(portText) || port > 65535) throw new ConfigError(`PORT must be a port number from 0 to 65535, got ${JSON.stringify(portText)}`);
  const token = env.EVENTLINE_TOKEN || undefined;
  if (!LOOPBACK.has(host) && token === undefined) {
    throw new ConfigError(
      `refusing to listen on ${host} without EVENTLINE_TOKEN: anyone who can reach it could write events; ` +
        'set EVENTLINE_TOKEN, or HOST=127.0.0.1 to stay on this machine',
    );
  }
  const projections = env.EVENTLINE_PROJECTIONS || 'async';
  if (projections !== 'async' && projections !== 'inline') {
    throw new ConfigError(`EVENTLINE_PROJECTIONS must be async or inline, got ${JSON.stringify(projections)}`);
  }
  const natsStream = env.EVENTLINE_NATS_STREAM || DEFAULT_NATS_STREAM;
  try {
    assertStreamName(natsStream, 'EVENTLINE_NATS_STREAM');
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const archiveDir = env.EVENTLINE_ARCHIVE_DIR || DEFAULT_ARCHIVE_DIR;
  return { host, port, storeUrl: defaultStoreUrl(env), token, projections, natsUrl: natsUrlFromEnv(env), natsStream, archiveDir };
}
