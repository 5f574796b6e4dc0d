// `npm start`: the Eventline Lab. Opens the store with crypto-shredding (the key storage
// beside it, the KEK as the CLI finds it: EVENTLINE_KEK, EVENTLINE_KEK_FILE or
// ./eventline.kek made on first use), runs the blog's projections and its
// review workflow in this process (and the outbox relay, with EVENTLINE_NATS_URL),
// serves the API and the page, and prints one line with the URL. SIGTERM or SIGINT
// drains: no new connections, in-flight requests finish, live streams end, the
// workflows finish their step, the relay its publish, the projections their batch,
// the store and its key storage close, exit 0. A missing or wrong KEK is one line and exit 1.
// With OTEL_EXPORTER_OTLP_ENDPOINT, traces and metrics go there over OTLP (telemetry.ts),
// and what is buffered is exported as the Lab drains.

import { redactPasswords } from '../src/core/redact.js';
import { ConfigError, readConfig } from './server/config.js';
import { buildLab } from './server/index.js';
import { openPrivateStore } from './server/private-store.js';
import { startTelemetry } from './telemetry.js';

const DRAIN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = readConfig(process.env);
  // Registered before the store opens, so its first work is traced too.
  const telemetry = await startTelemetry(process.env);
  // The KEK is found before the Lab's log exists: its one warning (a key file made) waits for it.
  const early: string[] = [];
  const { store, privacy, close } = await openPrivateStore(config.storeUrl, process.env, { warn: (line) => early.push(line) });
  const app = await buildLab({
    store,
    privacy,
    projections: config.projections,
    archiveDir: config.archiveDir,
    ...(config.token !== undefined && { token: config.token }),
    ...(config.natsUrl !== undefined && { nats: { url: config.natsUrl, stream: config.natsStream } }),
  });

  let draining: Promise<void> | undefined;
  const drain = (signal: string) =>
    (draining ??= (async () => {
      app.log.info({ signal }, 'draining');
      // A client that keeps a connection open without finishing a request cannot hold the exit up for long.
      const force = setTimeout(() => app.server.closeAllConnections(), DRAIN_GRACE_MS);
      try {
        await app.close();
        clearTimeout(force);
        await close();
        await telemetry?.shutdown();
      } catch (error) {
        app.log.error({ err: error }, 'drain failed');
        process.exit(1);
      }
      // Everything this process opened is closed; exit without waiting on anything else.
      process.exit(0);
    })());
  for (const line of early) app.log.warn(line);
  process.on('SIGTERM', () => void drain('SIGTERM'));
  process.on('SIGINT', () => void drain('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`Eventline Lab listening on http://${host}:${port} (store ${redactPasswords(config.storeUrl)})\n`);
}

main().catch((error: unknown) => {
  const inUse = (error as { code?: string }).code === 'EADDRINUSE';
  const message = inUse
    ? `${(error as Error).message.replace(/^listen EADDRINUSE: /, '')}: another process listens there; set PORT to another port (PORT=0 picks a free one)`
    : error instanceof ConfigError || error instanceof Error
      ? error.message
      : String(error);
  process.stderr.write(`eventline lab: ${redactPasswords(message).replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
});
