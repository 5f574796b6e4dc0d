// E1: what sealing two personal fields per event costs. W1's appends and W4's read, each
// made through the store plain and through the same store with the fields sealed, in
// turns within one measurement, so both see the same machine at the same moment. Beside
// them, the two costs no code of ours can remove: the store's own price for an event
// whose id is chosen before the append (the sealed field is bound to that id), and
// AES-256-GCM itself, two fields per event, timed alone with node:crypto.
// E1-FORGET: forgetting one author among many, and what the forget touched.

import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { BenchEvent } from './events.js';
import type { BenchStore, PersonalDataStore, StoredPost } from './adapter.js';
import { personalPostEvent } from './events.js';
import { seedStream } from './seed.js';
import type { Sizes } from './sizes.js';
import { mustAppend, perSecond, type Measurement, type Workload } from './workload.js';

/** Authors whose posts W1 and W4 write: their keys exist after the untimed start. */
const AUTHORS = 100;
/** W1's appends go in turns of this many, plain, sealed and plain with ids each in its turn. */
const TURN = 250;
/** W4: reads of each stream, timed in turns. */
const READS = 5;

/** An E1 workload: `measure` gets the store and the same store sealing, closed after it. */
function e1(workload: Pick<Workload, 'id' | 'label' | 'unit' | 'timeoutMs'>, measure: (store: BenchStore, sealed: PersonalDataStore, sizes: Sizes) => Promise<Measurement>): Workload {
  return {
    ...workload,
    group: 'E1',
    kinds: ['sqlite', 'postgres'],
    families: ['ours'],
    async run({ store, sizes }) {
      if (!store.personalData) return { skipped: 'this store has no payload guard to seal with' };
      const sealed = await store.personalData();
      try {
        return await measure(store, sealed, sizes);
      } finally {
        await sealed.close();
      }
    },
  };
}

export const e1Appends = e1(
  { id: 'E1-W1', label: 'E1 W1 with two personal fields sealed (events/s sealed)', unit: 'events/s' },
  async (store, sealed, sizes) => {
    const n = Math.max(TURN, Math.round(sizes.w1Appends / TURN) * TURN);
    const variants = {
      plain: (i: number) => store.append(`e1-plain-${i}`, [personalPostEvent(`e1-plain-${i}`, 1, i % AUTHORS)], 0),
      sealed: (i: number) => sealed.append(`e1-sealed-${i}`, [personalPostEvent(`e1-sealed-${i}`, 1, i % AUTHORS)], 0),
      withIds: (i: number) => store.append(`e1-ids-${i}`, [withId(personalPostEvent(`e1-ids-${i}`, 1, i % AUTHORS))], 0),
    };
    const ms = { plain: 0, sealed: 0, withIds: 0 };
    // Untimed: every author's keys made, every path run until it is optimised.
    for (const [name, append] of Object.entries(variants)) for (let i = 0; i < 2 * AUTHORS; i++) mustAppend(await append(n + i), name);
    const order = Object.entries(variants) as [keyof typeof ms, (i: number) => Promise<{ ok: boolean }>][];
    for (let from = 0; from < n; from += TURN) {
      // Each variant goes first in turn: whatever the first of a turn pays (a checkpoint, say) is shared.
      order.push(order.shift()!);
      for (const [name, append] of order) {
        const started = performance.now();
        for (let i = from; i < from + TURN; i++) mustAppend(await append(i), name);
        ms[name] += performance.now() - started;
      }
    }
    const sealOnly = cryptoMsPerEvent('seal');
    const plainMsPerEvent = ms.plain / n;
    return {
      value: perSecond(n, ms.sealed),
      details: {
        plain: Math.round(perSecond(n, ms.plain)),
        costRatio: round(ms.sealed / ms.plain),
        plainWithIds: Math.round(perSecond(n, ms.withIds)),
        idsRatio: round(ms.withIds / ms.plain),
        aesGcmUsPerEvent: round(sealOnly * 1000),
        floorRatio: round((ms.withIds / n + sealOnly) / plainMsPerEvent),
      },
    };
  },
);

export const e1Read = e1(
  { id: 'E1-W4', label: 'E1 W4 with two personal fields sealed (events/s sealed)', unit: 'events/s' },
  async (store, sealed, sizes) => {
    const n = sizes.streamEvents;
    await seedStream(store, 'e1-plain', n, authorsEvents);
    await seedStream(sealed, 'e1-sealed', n, authorsEvents);
    const reads: Record<'plain' | 'sealed', () => Promise<readonly StoredPost[]>> = {
      plain: () => store.readStream('e1-plain'),
      sealed: () => sealed.readStream('e1-sealed'),
    };
    const ms = { plain: 0, sealed: 0 };
    for (const read of Object.values(reads)) await read();
    for (let r = 0; r < READS; r++) {
      for (const [name, read] of Object.entries(reads) as [keyof typeof ms, () => Promise<readonly StoredPost[]>][]) {
        const started = performance.now();
        const events = await read();
        ms[name] += performance.now() - started;
        if (events.length !== n) throw new Error(`read ${events.length} events of ${n} (${name})`);
      }
    }
    const [first] = await reads.sealed();
    if ((first?.data as { authorName?: unknown }).authorName !== 'Ada Lovelace 0') throw new Error('the sealed read did not give the author back');
    const openOnly = cryptoMsPerEvent('open');
    return {
      value: perSecond(n * READS, ms.sealed),
      details: {
        plain: Math.round(perSecond(n * READS, ms.plain)),
        costRatio: round(ms.sealed / ms.plain),
        aesGcmUsPerEvent: round(openOnly * 1000),
        floorRatio: round((ms.plain / (n * READS) + openOnly) / (ms.plain / (n * READS))),
      },
    };
  },
);

export const e1Forget = e1(
  { id: 'E1-FORGET', label: 'E1 forget one author among many (ms)', unit: 'ms', timeoutMs: 1_800_000 },
  async (_store, sealed, sizes) => {
    const authors = sizes.e1Subjects;
    // One post per author, a thousand to an append: every author gets two keys.
    for (let from = 0; from < authors; from += 1000) {
      const events = Array.from({ length: Math.min(1000, authors - from) }, (_, i) => personalPostEvent(`e1-forget-${from}`, i + 1, from + i));
      mustAppend(await sealed.append(`e1-forget-${from}`, events, 0), 'e1-forget');
    }
    const author = Math.floor(authors / 2);
    const started = performance.now();
    const touched = await sealed.forget(`author-${author}`);
    const ms = performance.now() - started;
    // Untimed: the forget is done once, and the author's post reads as erased while the next one does not.
    const post = (await sealed.readStream(`e1-forget-${author - (author % 1000)}`))[author % 1000]!;
    const neighbour = (await sealed.readStream(`e1-forget-${author - (author % 1000)}`))[(author + 1) % 1000]!;
    if (!isErasedField((post.data as { authorName?: unknown }).authorName)) throw new Error('the forgotten author still reads');
    if (isErasedField((neighbour.data as { authorName?: unknown }).authorName)) throw new Error('another author reads as erased');
    return { value: ms, details: { authors, keys: 2 * authors, keysDeleted: touched.keysDeleted, eventsAppended: touched.eventsAppended, eventsRewritten: 0 } };
  },
);

/** Events from..from+size-1 of a post's stream, by the AUTHORS in turn. */
function authorsEvents(_streamId: string, from: number, size: number): BenchEvent[] {
  return Array.from({ length: size }, (_, i) => personalPostEvent('e1', from + i, (from + i - 1) % AUTHORS));
}

function withId(event: BenchEvent): BenchEvent {
  return { ...event, eventId: randomUUID() } as BenchEvent;
}

const isErasedField = (value: unknown) => typeof value === 'object' && value !== null && (value as { erased?: unknown }).erased === true;

/**
 * Milliseconds per event that AES-256-GCM alone takes for two fields of an author's size
 * (a name, an email), with the associated data of an event id and path: a fresh cipher
 * and nonce per field, as any per-field sealing must have.
 */
function cryptoMsPerEvent(step: 'seal' | 'open'): number {
  const key = randomBytes(32);
  const aad = Buffer.from(`${randomUUID()}authorName${'k'.repeat(60)}`);
  const values = ['"Ada Lovelace 17"', '"ada@example.com"'];
  const sealedValues = values.map((value) => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
    return { nonce, ct: Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]), tag: cipher.getAuthTag() };
  });
  const events = 20_000;
  const once = () => {
    for (let i = 0; i < events; i++) {
      for (let f = 0; f < values.length; f++) {
        if (step === 'seal') {
          const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12)).setAAD(aad);
          Buffer.concat([cipher.update(values[f]!, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
        } else {
          const { nonce, ct, tag } = sealedValues[f]!;
          const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(aad).setAuthTag(tag);
          JSON.parse(Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8'));
        }
      }
    }
  };
  once();
  const started = performance.now();
  once();
  return (performance.now() - started) / events;
}

const round = (value: number) => Math.round(value * 100) / 100;
