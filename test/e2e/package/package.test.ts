// End-to-end: Eventline as someone else gets it. The package is packed, installed from
// the tarball into a new project in a temporary folder (./consumer), and used there
// through its three entries, its types and its command line; of this repository the
// project borrows only TypeScript and Node's types, to type-check.
//
// The package is built into a folder of its own and packed there with --ignore-scripts:
// `npm pack` here would run prepare, which rebuilds dist/ (the Lab's page included)
// under the other end-to-end tests, and a stale dist/ would be packed as it is.
// Installing compiles better-sqlite3 from source (there is no prebuilt binary to
// download without the internet), most of this file's minute or so.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  exports: Record<string, Record<string, string>>;
  bin: Record<string, string>;
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of someone else's shell: none of the variables that npm, the test
 * runner (a nested `node --test` would report to it) or tsx set for this process, and no
 * EVENTLINE_*.
 */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(npm_package_|npm_lifecycle_|EVENTLINE_)/.test(name) && name !== 'NODE_OPTIONS' && name !== 'NODE_TEST_CONTEXT',
  ),
);

/** Runs a program to its end; a non-zero exit is a result, not an error. */
function run(file: string, args: readonly string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** Runs a step that must succeed, failing with everything it printed when it does not. */
async function step(file: string, args: readonly string[], cwd: string, extraEnv?: Record<string, string>): Promise<string> {
  const result = await run(file, args, cwd, extraEnv);
  assert.equal(result.code, 0, `${[file, ...args].join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

const tsc = (args: readonly string[], cwd: string) => step(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], cwd);

describe('given a packed Eventline, when a new project installs it', () => {
  const work = mkdtempSync(join(tmpdir(), 'eventline-package-'));
  const project = join(work, 'project');
  const eventline = (...args: string[]) => run(join(project, 'node_modules/.bin/eventline'), args, project);
  let packed: string[] = [];

  before(async () => {
    const stage = join(work, 'package');
    await tsc(['-p', 'tsconfig.build.json', '--outDir', join(stage, 'dist')], ROOT);
    // What npm packs whatever `files` says, beside the build.
    for (const file of ['package.json', 'README.md', 'LICENSE']) cpSync(join(ROOT, file), join(stage, file));
    mkdirSync(join(work, 'tarball'));
    const [tarball] = JSON.parse(await step('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', join(work, 'tarball')], stage)) as {
      filename: string;
      files: { path: string }[];
    }[];
    packed = tarball!.files.map((f) => f.path);

    cpSync(CONSUMER, project, { recursive: true });
    // JOBS: node-gyp compiles better-sqlite3 on every core.
    await step('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, 'tarball', tarball!.filename)], project, { JOBS: 'max' });
  }, { timeout: 600_000 });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('then the tarball holds every file its exports and bin name', () => {
    const named = [...Object.values(MANIFEST.exports).flatMap((entry) => Object.values(entry)), ...Object.values(MANIFEST.bin)];
    for (const path of named) assert.ok(packed.includes(path.replace(/^\.\//, '')), `${path} is packed`);
  });

  test('then its types check: eventline, eventline/storage and eventline/testing as ES modules, strict', async () => {
    // types.ts, and the project's .mjs files through checkJs; Node's types from this repository.
    assert.equal(await tsc(['-p', 'tsconfig.json', '--typeRoots', join(ROOT, 'node_modules/@types')], project), '');
  });

  test('then an application appends and reads on sqlite: and memory:', async () => {
    // Without @opentelemetry/api, an optional peer dependency npm leaves out: Eventline works without telemetry.
    assert.equal(existsSync(join(project, 'node_modules/@opentelemetry/api')), false, 'the optional peer @opentelemetry/api is not installed');
    const urls = [`sqlite:${join(project, 'data/app.db')}`, 'memory:'];
    const runs = (await step(process.execPath, ['app.mjs', ...urls], project)).trim().split('\n').map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(
      runs,
      urls.map((url) => ({
        url,
        kind: url.split(':')[0],
        refused: true,
        events: [[1, 'PostWasCreated', { title: 'Hello' }], [2, 'PostWasPublished', {}]],
      })),
    );
  });

  test('then the eventline command runs: help, version, append and read on a SQLite file, and bad input', async () => {
    const help = await eventline('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: eventline /);
    assert.deepEqual(await eventline('--version'), { code: 0, stdout: `${MANIFEST.version}\n`, stderr: '' });

    const store = ['--store', `sqlite:${join(project, 'data/cli.db')}`];
    const appended = await eventline(...store, 'append', 'post-1', '--type', 'PostWasCreated', '--data', '{"title":"Hello"}', '--expected-version', 'no_stream');
    assert.equal(appended.code, 0, appended.stderr);
    assert.match(appended.stdout, /^appended PostWasCreated to post-1: version 1, position 1/);
    const read = await eventline(...store, '--json', 'read', 'post-1');
    assert.equal(read.code, 0, read.stderr);
    const event = JSON.parse(read.stdout) as { type: string; version: number; data: unknown };
    assert.deepEqual([event.type, event.version, event.data], ['PostWasCreated', 1, { title: 'Hello' }]);

    const bad = await eventline(...store, 'append', 'post-1', '--type', 'PostWasPublished', '--data', '{bad');
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^eventline: --data is not valid JSON[^\n]*\n$/);
  });

  test('then the conformance suite passes on a store the project builds over its own storage', async () => {
    const report = await step(process.execPath, ['--test', '--test-reporter=tap', 'conformance.test.mjs'], project);
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1]);
    assert.equal(count('fail'), 0);
    assert.ok(count('pass') > 100, `${count('pass')} cases passed`);
    // Only the cases that need other processes skip, and they say why.
    const skips = [...report.matchAll(/ # SKIP (.*)$/gm)].map((m) => m[1]);
    assert.equal(skips.length, count('skipped'));
    assert.ok(skips.length > 0 && skips.every((reason) => reason === 'the own storage store lives in one process'), skips.join('\n'));
  });
});
