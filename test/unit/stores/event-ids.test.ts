import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { isUuid } from '../../../src/index.js';
import { eventIdsOf } from '../../../src/stores/event-ids.js';

const tag = '9abc-0123456789ab';
const ids = eventIdsOf(tag);

test('a SQLite file names an event after its position: a version-8 UUID ending in the file tag', () => {
  assert.equal(ids.idAt(1), `00000000-0000-8001-${tag}`);
  assert.equal(ids.idAt(0x1234_5678_9abc), `00012345-6789-8abc-${tag}`);
  assert.equal(ids.idAt(Number.MAX_SAFE_INTEGER), `01ffffff-ffff-8fff-${tag}`);
  for (const position of [1, 255, 256, 257, 4095, 4096, 65_536, 2 ** 32, 2 ** 40 + 12_345]) {
    const id = ids.idAt(position);
    assert.ok(isUuid(id), id);
    assert.equal(ids.positionOf(id), position);
  }
});

test('ids sort as their positions do, whichever order they are named in', () => {
  const positions = [300, 2, 70_000, 1, 256, 255, 2 ** 33];
  const named = positions.map((p) => ids.idAt(p));
  assert.deepEqual([...named].sort(), [...positions].sort((a, b) => a - b).map((p) => ids.idAt(p)));
});

test('only ids of this file name a position', () => {
  const other = eventIdsOf('8000-000000000000');
  for (const id of [
    other.idAt(1), // another file's tag
    `00000000-0000-7001-${tag}`, // another version
    randomUUID(),
    `00000000-0000-8000-${tag}`, // position 0 is never handed out
    `0fffffff-ffff-8fff-${tag}`, // beyond the safe integers
  ]) {
    assert.equal(ids.positionOf(id), undefined, id);
  }
});

test('a tag that is not a variant digit and 15 hex digits is refused', () => {
  for (const bad of ['', '7abc-0123456789ab', '9abc-0123456789a', "9abc-0123456789a'"]) assert.throws(() => eventIdsOf(bad));
});
