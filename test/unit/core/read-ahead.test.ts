// Reading page after page, one page ahead (src/store/read-ahead.ts): the next page is
// asked for as soon as the one before arrives, items are mapped only when reached, and a
// page that fails fails whoever reaches it, never the process.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readAhead } from '../../../src/store/read-ahead.js';

/** Pages of `size` numbers up to `total`, recording which pages were asked for. */
function pagedNumbers(total: number, size: number) {
  const asked: number[] = [];
  const read = async (after: number) => {
    asked.push(after);
    return Array.from({ length: Math.max(0, Math.min(size, total - after)) }, (_, i) => after + i + 1);
  };
  const next = (page: number[]) => (page.length < size ? undefined : read(page[page.length - 1]!));
  return { asked, read, next };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

test('gives every item of every page in order, mapped', async () => {
  const { read, next } = pagedNumbers(7, 3);
  assert.deepEqual(await collect(readAhead(read(0), next, (n) => `#${n}`)), ['#1', '#2', '#3', '#4', '#5', '#6', '#7']);
});

test('asks for the next page when a page arrives, before its items are taken', async () => {
  const { asked, read, next } = pagedNumbers(10, 5);
  const items = readAhead(read(0), next, (n) => n);
  assert.deepEqual(await items.next(), { value: 1, done: false });
  assert.deepEqual(asked, [0, 5], 'the second page is on its way while the first is read');
});

test('stops after a short page, and an empty first page gives nothing', async () => {
  const short = pagedNumbers(6, 3);
  await collect(readAhead(short.read(0), short.next, (n) => n));
  assert.deepEqual(short.asked, [0, 3, 6], 'the full page at 3 asks once more; the empty page at 6 ends it');
  const empty = pagedNumbers(0, 3);
  assert.deepEqual(await collect(readAhead(empty.read(0), empty.next, (n) => n)), []);
});

test('maps only the items a caller reaches', async () => {
  const { read, next } = pagedNumbers(10, 5);
  const mapped: number[] = [];
  for await (const n of readAhead(read(0), next, (n) => (mapped.push(n), n))) if (n === 2) break;
  assert.deepEqual(mapped, [1, 2]);
});

test('a page that fails while read ahead fails the caller who reaches it, not the process', async () => {
  let unhandled = 0;
  const count = () => unhandled++;
  process.on('unhandledRejection', count);
  try {
    const failing = (page: number[]) => (page[0] === 1 ? Promise.reject(new Error('the database went away')) : undefined);
    const items = readAhead(Promise.resolve([1, 2]), failing, (n) => n);
    assert.deepEqual(await items.next(), { value: 1, done: false });
    // The failed page waits, awaited by no one yet, while the caller works through the first.
    await sleep(20);
    assert.deepEqual(await items.next(), { value: 2, done: false });
    await assert.rejects(items.next(), /the database went away/);
    assert.equal(unhandled, 0);
  } finally {
    process.off('unhandledRejection', count);
  }
});
