// The Lab's image. Always: the bundle the image runs (scripts/build-lab.js) starts with
// the package's production dependencies only, answers /api/health and serves the page;
// and compose.yaml runs PostgreSQL, NATS with JetStream and two Lab replicas on one
// store, each waiting for both to be healthy. When a Docker daemon answers, the image
// itself is built and run until its health check passes; otherwise that story is
// skipped with the reason printed.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildUiIfMissing } from './harness.js';
import { eventually, ROOT } from './support.js';

const run = (command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: options.timeout ?? 60_000, ...(options.env && { env: options.env }) });

const daemon = run('docker', ['info'], { timeout: 15_000 });
const dockerAnswers = daemon.status === 0;
const noDocker = dockerAnswers ? undefined : `no Docker daemon answers (docker info: ${(daemon.error?.message ?? daemon.stderr.trim().split('\n').at(-1) ?? '').slice(0, 200)})`;
console.log(`# the Lab image test ${dockerAnswers ? 'runs: a Docker daemon answers' : `is skipped: ${noDocker}`}`);

/** Compose's own reading of the file when the plugin is there, else the YAML as written (the interpolations stay unread). */
function readCompose(): { how: string; file: Compose } {
  const env = { ...process.env, EVENTLINE_KEK: randomBytes(32).toString('base64'), EVENTLINE_TOKEN: 'compose-check' };
  const compose = run('docker', ['compose', '-f', 'compose.yaml', 'config', '--format', 'json'], { env });
  if (compose.status === 0) return { how: 'docker compose config', file: JSON.parse(compose.stdout) as Compose };
  // js-yaml comes with the linter's dependencies.
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  return { how: 'js-yaml (no docker compose plugin here)', file: yaml.load(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as Compose };
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
}

describe('the Lab image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-image-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the bundled Lab starts with the production dependencies only, answers /api/health and serves the page', async () => {
    buildUiIfMissing();
    const built = run(process.execPath, ['scripts/build-lab.js']);
    assert.equal(built.status, 0, built.stderr);
    // The runtime stage's folder: the bundle, the page, and what `npm ci --omit=dev` installs.
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    cpSync(join(ROOT, 'dist/lab'), join(app, 'dist/lab'), { recursive: true });
    cpSync(join(ROOT, 'dist/lab-ui'), join(app, 'dist/lab-ui'), { recursive: true });
    const production = run('npm', ['ls', '--omit=dev', '--all', '--parseable']);
    const packages = production.stdout.trim().split('\n').slice(1);
    assert.ok(packages.some((path) => basename(path) === 'better-sqlite3'), production.stderr);
    for (const path of packages) symlinkSync(path, join(app, 'node_modules', basename(path)));

    const child = spawn(process.execPath, ['dist/lab/main.js'], {
      cwd: app,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', EVENTLINE_STORE: `sqlite:${join(dir, 'lab.db')}`, EVENTLINE_KEK: randomBytes(32).toString('base64') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await eventually(`the bundled Lab's line (stderr: ${stderr.slice(0, 500)})`, async () => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], 20_000);
      const health = await fetch(`${url}/api/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(((await health.json()) as { status: string; store: string }).store, 'sqlite');
      const page = await fetch(url);
      assert.match(await page.text(), /<title>Eventline Lab<\/title>/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `drained and exited 0; stderr: ${stderr.slice(0, 500)}`);
  });

  test('compose.yaml runs PostgreSQL, NATS with JetStream and two Lab replicas on one store, each waiting for both to be healthy', () => {
    const { how, file } = readCompose();
    console.log(`# compose.yaml read with ${how}`);
    const { services } = file;
    assert.deepEqual(Object.keys(services).sort(), ['lab-1', 'lab-2', 'nats', 'postgres']);
    assert.ok(services.postgres?.healthcheck?.test.join(' ').includes('pg_isready'));
    assert.ok(services.nats?.command?.includes('--jetstream'), 'JetStream on');
    assert.ok(services.nats?.healthcheck?.test.join(' ').includes('js-enabled-only=true'));
    const labs = [services['lab-1']!, services['lab-2']!];
    for (const lab of labs) {
      assert.ok(lab.build !== undefined, 'built from the Dockerfile');
      assert.match(lab.environment?.EVENTLINE_STORE ?? '', /^postgres:\/\/.+@postgres:5432\//);
      assert.equal(lab.environment?.EVENTLINE_NATS_URL, 'nats://nats:4222');
      assert.ok(lab.environment?.EVENTLINE_KEK && lab.environment.EVENTLINE_TOKEN, 'a KEK and a token from the environment');
      assert.deepEqual(lab.depends_on, { postgres: { condition: 'service_healthy' }, nats: { condition: 'service_healthy' } });
    }
    assert.equal(labs[0]!.environment!.EVENTLINE_STORE, labs[1]!.environment!.EVENTLINE_STORE, 'one store');
    assert.equal(labs[0]!.environment!.EVENTLINE_KEK, labs[1]!.environment!.EVENTLINE_KEK, 'one KEK for the key storage they share');
  });

  test('the Dockerfile runs the bundle with node as an unprivileged user, its health check on /api/health', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM node:20-slim$/m, 'a small runtime base');
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK [\s\S]*\/api\/health/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/lab\/main\.js"\]$/m);
  });

  test('the image, built and run, passes its health check', { skip: noDocker, timeout: 900_000 }, async () => {
    const tag = `eventline-lab-test:${process.pid}`;
    const built = run('docker', ['build', '-t', tag, '.'], { timeout: 900_000 });
    assert.equal(built.status, 0, built.stderr.slice(-2000));
    const started = run('docker', ['run', '-d', '-p', '127.0.0.1::3000', '-e', 'EVENTLINE_TOKEN=image-test', '-e', `EVENTLINE_KEK=${randomBytes(32).toString('base64')}`, tag]);
    assert.equal(started.status, 0, started.stderr);
    const container = started.stdout.trim();
    try {
      const port = run('docker', ['port', container, '3000/tcp']).stdout.trim().split('\n')[0]!;
      const health = await eventually('/api/health from the container', async () => {
        const answer = await fetch(`http://${port}/api/health`).catch(() => undefined);
        return answer?.ok ? ((await answer.json()) as { status: string; store: string }) : undefined;
      }, 60_000);
      assert.deepEqual([health.status, health.store], ['ok', 'sqlite']);
      const state = await eventually('the container healthy', async () => {
        const status = run('docker', ['inspect', '--format', '{{.State.Health.Status}}', container]).stdout.trim();
        return status === 'healthy' ? status : undefined;
      }, 90_000);
      assert.equal(state, 'healthy');
      assert.equal(run('docker', ['exec', container, 'id', '-u']).stdout.trim() !== '0', true, 'not root');
    } finally {
      run('docker', ['rm', '-f', container]);
      run('docker', ['rmi', tag]);
    }
  });
});
