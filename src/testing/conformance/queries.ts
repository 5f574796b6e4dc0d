// Querying the log: every store narrows readAll the same way by position range,
// recording time and correlation id, alone and together, page after page, and
// refuses the same bad filters with the same field named.

import assert from 'node:assert/strict';
import { ValidationError } from '../../core/errors.js';
import type { NewEvent, RecordedEvent } from '../../core/events.js';
import type { EventStore, ReadAllOptions } from '../../store/event-store.js';
import { collect, defineCase, sleep, type ConformanceOptions } from './suite.js';

const note = (n: number, metadata?: Record<string, unknown>): NewEvent => ({ type: 'Noted', data: { n }, ...(metadata && { metadata }) });

const positions = async (store: EventStore, options: ReadAllOptions) => (await collect(store.readAll(options))).map((e) => e.position);
const numbers = async (store: EventStore, options: ReadAllOptions) => (await collect(store.readAll(options))).map((e) => (e.data as { n: number }).n);

/** Appends one event per call, a few milliseconds apart, so each has its own recording time. */
async function appendApart(store: EventStore, count: number): Promise<RecordedEvent[]> {
  for (let n = 1; n <= count; n++) {
    await store.appendToStream(`note-${n % 2}`, [note(n)]);
    await sleep(15);
  }
  return collect(store.readAll());
}

export function queryCases(options: ConformanceOptions): void {
  const it = (name: string, body: Parameters<typeof defineCase>[2]) => defineCase(options, name, body);

  it('reads a position range: after is exclusive, before is exclusive, in pages of any size', async (store) => {
    await store.appendToStream('a', [1, 2, 3, 4, 5, 6].map((n) => note(n)));
    const all = await positions(store, {});
    const [, p2, , , p5, p6] = all;
    assert.deepEqual(await positions(store, { after: p2!, before: p5! }), all.slice(2, 4));
    assert.deepEqual(await positions(store, { after: p2!, before: p5!, batchSize: 1 }), all.slice(2, 4));
    assert.deepEqual(await positions(store, { before: p2! }), all.slice(0, 1));
    assert.deepEqual(await positions(store, { before: p6! + 100 }), all);
    assert.deepEqual(await positions(store, { after: p5!, before: p5! }), []);
    assert.deepEqual(await positions(store, { before: 1 }), []);
  });

  it('reads a time range: recordedFrom is inclusive, recordedTo exclusive, to the millisecond shown', async (store) => {
    const events = await appendApart(store, 5);
    const at = events.map((e) => e.recordedAt);
    for (let i = 1; i < at.length; i++) assert.ok(at[i]!.getTime() > at[i - 1]!.getTime(), 'appends 15 ms apart get later times');
    assert.deepEqual(await numbers(store, { recordedFrom: at[1]!, recordedTo: at[3]! }), [2, 3]);
    assert.deepEqual(await numbers(store, { recordedFrom: at[3]! }), [4, 5]);
    assert.deepEqual(await numbers(store, { recordedTo: at[1]! }), [1]);
    assert.deepEqual(await numbers(store, { recordedTo: new Date(at[1]!.getTime() + 1) }), [1, 2]);
    assert.deepEqual(await numbers(store, { recordedFrom: at[4]!, recordedTo: at[0]! }), []);
    assert.deepEqual(await numbers(store, { recordedFrom: new Date(at[4]!.getTime() + 1) }), []);
    // Narrowed together with the other filters, and paged one event at a time.
    assert.deepEqual(await numbers(store, { recordedFrom: at[1]!, streamPrefix: 'note-1', batchSize: 1 }), [3, 5]);
    assert.deepEqual(await numbers(store, { recordedFrom: at[0]!, before: events[2]!.position, types: ['Noted'] }), [1, 2]);
  });

  it('finds the events of one correlation id in metadata, and nothing that only looks like it', async (store) => {
    await store.appendToStream('order-1', [
      note(1, { correlationId: 'c-1' }),
      note(2, { correlationId: 'c-10' }),
      note(3, { causationId: 'c-1' }),
      note(4, { nested: { correlationId: 'c-1' } }),
      note(5, { correlationId: 5 }),
      note(6),
      { type: 'Noted', data: { n: 7, correlationId: 'c-1' } },
      note(8, { correlationId: 'c-1', note: 'a\u0000b', 'é': '\u2028' }),
      note(9, { correlationId: ['c-1'] }),
      note(10, { correlationId: '%_\\"quoted"' }),
    ]);
    await store.appendToStream('order-2', [note(11, { correlationId: 'c-1', userId: 'u' })]);
    assert.deepEqual(await numbers(store, { correlationId: 'c-1' }), [1, 8, 11]);
    assert.deepEqual(await numbers(store, { correlationId: 'c-1', batchSize: 1 }), [1, 8, 11]);
    assert.deepEqual(await numbers(store, { correlationId: 'c-10' }), [2]);
    assert.deepEqual(await numbers(store, { correlationId: '5' }), []);
    assert.deepEqual(await numbers(store, { correlationId: '%_\\"quoted"' }), [10]);
    assert.deepEqual(await numbers(store, { correlationId: 'c-' }), []);
    assert.deepEqual(await numbers(store, { correlationId: 'c-1', streamPrefix: 'order-2' }), [11]);
    const [, second] = await collect(store.readAll());
    assert.deepEqual(await numbers(store, { correlationId: 'c-1', after: second!.position }), [8, 11]);
  });

  it('fills each page of a correlation query even when most candidates do not match', async (store) => {
    // Every event holds the id's text; only every third has it as its correlation id.
    const events = Array.from({ length: 30 }, (_, i) => note(i + 1, i % 3 === 0 ? { correlationId: 'c-7' } : { causationId: 'c-7' }));
    await store.appendToStream('s', events);
    const expected = Array.from({ length: 10 }, (_, i) => i * 3 + 1);
    for (const batchSize of [1, 2, 4, 500]) assert.deepEqual(await numbers(store, { correlationId: 'c-7', batchSize }), expected, `batchSize ${batchSize}`);
  });

  it('refuses bad filters with a ValidationError naming the field, before reading', async (store) => {
    const bad: [string, string, ReadAllOptions][] = [
      ['before 0', 'before', { before: 0 }],
      ['a negative before', 'before', { before: -1 }],
      ['a fractional before', 'before', { before: 1.5 }],
      ['before as a string', 'before', { before: '3' as unknown as number }],
      ['recordedFrom as a string', 'recordedFrom', { recordedFrom: '2026-01-01' as unknown as Date }],
      ['an invalid recordedFrom', 'recordedFrom', { recordedFrom: new Date('nope') }],
      ['recordedTo as a number', 'recordedTo', { recordedTo: 0 as unknown as Date }],
      ['an invalid recordedTo', 'recordedTo', { recordedTo: new Date(NaN) }],
      ['an empty correlationId', 'correlationId', { correlationId: '' }],
      ['a correlationId that is not a string', 'correlationId', { correlationId: 7 as unknown as string }],
      ['a correlationId with U+0000', 'correlationId', { correlationId: 'c\u0000' }],
    ];
    for (const [what, field, options] of bad) {
      await assert.rejects(
        async () => store.readAll(options),
        (error) => error instanceof ValidationError && error.field === field,
        what,
      );
    }
  });
}
