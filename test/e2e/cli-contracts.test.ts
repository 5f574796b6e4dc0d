// End-to-end: `eventline contracts` as a team runs it while PostWasCreated evolves. The
// fixtures are approved at v1 and hold; a field added without a version bump fails the
// check naming the type; a bump with its upcaster, approved, holds again; and a store
// whose old event no longer upcasts to a valid current one fails the corpus check,
// naming the type, version and position; so does a retention archive holding one.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { archiveFiles, writeArchive } from '../../src/retention/archive.js';
import { eventline, lines, ok, records, ROOT } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-contracts-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const contracts = join(dir, 'contracts');
const INDEX = pathToFileURL(join(ROOT, 'src/index.ts')).href;

/** Writes a schemas module (a .ts file the CLI loads under tsx) and answers its path. */
function schemasModule(name: string, body: string): string {
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, `import { defineEventSchemas } from '${INDEX}';\n${body}\n`);
  return path;
}

const v1 = schemasModule('v1', `
export const schemas = defineEventSchemas({ PostWasCreated: { version: 1 } });
export const examples = [{ type: 'PostWasCreated', data: { postId: 'p1', title: 'Hello', authorId: 'ada' } }];`);

const unbumped = schemasModule('unbumped', `
export const schemas = defineEventSchemas({ PostWasCreated: { version: 1 } });
export const examples = [{ type: 'PostWasCreated', data: { postId: 'p1', title: 'Hello', authorId: 'ada', tags: ['news'] } }];`);

const v2 = schemasModule('v2', `
export const schemas = defineEventSchemas({
  PostWasCreated: {
    version: 2,
    upcast: { 1: (data: object) => ({ ...data, tags: [] as string[] }) },
    validate: (data: { authorId?: unknown }) => (typeof data.authorId === 'string' ? undefined : 'authorId must be a string'),
  },
});
export const examples = [{ type: 'PostWasCreated', data: { postId: 'p1', title: 'Hello', authorId: 'ada', tags: ['news'] } }];`);

const check = (module: string, ...more: string[]) => eventline(['contracts', 'check', '--schemas', module, '--dir', contracts, ...more]);

describe('eventline contracts, told as PostWasCreated evolves', () => {
  test('approve writes one fixture per type at its current version, through the codec; check then holds', async () => {
    assert.equal(await ok(['contracts', 'approve', '--schemas', v1, '--dir', contracts]), 'approved PostWasCreated v1\n');
    const fixture = JSON.parse(readFileSync(join(contracts, 'PostWasCreated', 'v1.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(fixture, { type: 'PostWasCreated', version: 1, data: { postId: 'p1', title: 'Hello', authorId: 'ada' } });
    assert.equal(await ok(['contracts', 'check', '--schemas', v1, '--dir', contracts]), 'contracts hold: 1 types, 1 fixtures\n');
  });

  test('a field added without a version bump fails the check, naming the type, and approve will not paper over it', async () => {
    const failed = await check(unbumped);
    assert.equal(failed.code, 1);
    assert.deepEqual(lines(failed.stdout), ['PostWasCreated v1: the shape changed without a version bump: tags: added']);
    const json = await check(unbumped, '--json');
    assert.deepEqual(records(json.stdout), [{ type: 'PostWasCreated', version: 1, problem: 'the shape changed without a version bump: tags: added' }]);

    const approve = await eventline(['contracts', 'approve', '--schemas', unbumped, '--dir', contracts]);
    assert.equal(approve.code, 1);
    assert.match(approve.stdout, /^PostWasCreated v1: an approved fixture has another shape \(tags: added\): bump the version/);
  });

  test('a bump with its upcaster holds once v2 is approved: the v1 fixture upcasts to a valid v2 event', async () => {
    const unapproved = await check(v2);
    assert.equal(unapproved.code, 1);
    assert.deepEqual(lines(unapproved.stdout), ['PostWasCreated v2: no approved fixture (run eventline contracts approve)']);
    assert.equal(await ok(['contracts', 'approve', '--schemas', v2, '--dir', contracts]), 'approved PostWasCreated v2\n');
    assert.ok(existsSync(join(contracts, 'PostWasCreated', 'v1.json')), 'the v1 fixture stays');
    assert.equal(await ok(['contracts', 'check', '--schemas', v2, '--dir', contracts]), 'contracts hold: 1 types, 2 fixtures\n');
  });

  test('an approved older fixture that no longer upcasts fails the check, naming its type and version', async () => {
    const broken = schemasModule('broken', `
export const schemas = defineEventSchemas({
  PostWasCreated: { version: 2, upcast: { 1: (): object => { throw new Error('tags are required now'); } } },
});
export const examples = [{ type: 'PostWasCreated', data: { postId: 'p1', title: 'Hello', authorId: 'ada', tags: ['news'] } }];`);
    const failed = await check(broken);
    assert.equal(failed.code, 1);
    assert.deepEqual(lines(failed.stdout), [`PostWasCreated v1: no longer upcasts: the upcaster of 'PostWasCreated' from version 1 threw (Error)`]);
  });

  test('--corpus samples stored events: an old one that no longer upcasts to a valid event fails, with its position', async () => {
    const store = `sqlite:${join(dir, 'blog.db')}`;
    await ok(['--store', store, 'append', 'post-p1', '--type', 'PostWasCreated', '--data', JSON.stringify({ postId: 'p1', title: 'Hello', authorId: 'ada' })]);
    assert.equal(await ok(['contracts', 'check', '--schemas', v2, '--dir', contracts, '--corpus', store]), 'contracts hold: 1 types, 2 fixtures, 1 stored events\n');

    // Written by an old release that let the author out: no fixture has that shape.
    await ok(['--store', store, 'append', 'post-p2', '--type', 'PostWasCreated', '--data', JSON.stringify({ postId: 'p2', title: 'Anonymous' })]);
    const failed = await check(v2, '--corpus', store);
    assert.equal(failed.code, 1);
    assert.deepEqual(lines(failed.stdout), ['PostWasCreated v1 at position 2: upcasts to an invalid PostWasCreated v2: authorId must be a string']);
  });

  test('--corpus also reads a retention archive: the pruned events, as their store kept them', async () => {
    const stored = (position: number, data: object) => ({
      position, streamId: `post-a${position}`, version: 1, eventId: `00000000-0000-4000-8000-00000000000${position}`,
      type: 'PostWasCreated', data: JSON.stringify(data), metadata: null, recordedAt: new Date(0),
    });
    const { archive } = archiveFiles(dir, 'r1');
    await writeArchive(dir, { run: 'r1', store: 'sqlite', policies: ['old-posts'], ranges: [] }, (async function* () {
      yield stored(1, { postId: 'a1', title: 'Kept', authorId: 'ada' });
      yield stored(2, { postId: 'a2', title: 'Anonymous' });
    })());
    const failed = await check(v2, '--corpus', archive);
    assert.equal(failed.code, 1, failed.stderr);
    assert.deepEqual(lines(failed.stdout), ['PostWasCreated v1 at position 2: upcasts to an invalid PostWasCreated v2: authorId must be a string']);
  });

  test('bad input is a usage error, exit 2, before anything is read', async () => {
    const missing = await eventline(['contracts', 'check']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /contracts check needs --schemas/);
    const notSchemas = schemasModule('nothing', 'export const examples = [];');
    const refused = await eventline(['contracts', 'check', '--schemas', notSchemas]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /exports no "schemas" made by defineEventSchemas/);
  });
});
