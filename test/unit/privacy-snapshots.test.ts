// Snapshots of streams with personal data: the folded state is sealed whole, under the
// data keys of every subject its events name, so a snapshot holds personal data no more
// in the clear than the events do; once one of those subjects is forgotten the snapshot
// reads as absent and loading folds the events (their fields erased), never throwing.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { everyNEvents, handleCommand, loadState, type Decider, type EventStore, type SnapshotOptions } from '../../src/index.js';
import { openKeyStorage } from '../../src/open/open-key-storage.js';
import { openEventStore, openStorage } from '../../src/open/open-store.js';
import { SealedSnapshotError } from '../../src/core/errors.js';
import { definePersonalData, isErased, isSealedSnapshot, openPrivacy, type Privacy } from '../../src/privacy/index.js';
import { createEventStore } from '../../src/store/event-store.js';
import type { PayloadGuard } from '../../src/store/payload-guard.js';
import type { EventStorage } from '../../src/store/storage.js';
import { openDatabase } from '../../src/stores/sqlite-db/driver.js';

const ADA = 'member-1';
const GRACE = 'member-2';
const ADA_NAME = 'Ada Canary-5d2a';
const GRACE_NAME = 'Grace Canary-c41f';
const GRACE_EMAIL = 'grace.canary-c41f@example.org';

const personalData = definePersonalData({
  MemberJoined: [
    { path: 'name', subject: (event) => event.data.memberId, category: 'profile' },
    { path: 'email', subject: (event) => event.data.memberId, category: 'contact' },
  ],
});

type ClubEvent = { type: 'MemberJoined'; data: { memberId: string; name: string; email?: string } } | { type: 'NoteAdded'; data: { text: string } };
type Club = { names: unknown[]; emails: unknown[]; notes: string[] };
type ClubCommand = { join: { memberId: string; name: string; email?: string } } | { note: string };

const club: Decider<Club, ClubCommand, ClubEvent> = {
  initialState: () => ({ names: [], emails: [], notes: [] }),
  evolve: (state, event) =>
    event.type === 'MemberJoined'
      ? { ...state, names: [...state.names, event.data.name], emails: event.data.email === undefined ? state.emails : [...state.emails, event.data.email] }
      : { ...state, notes: [...state.notes, event.data.text] },
  decide: (command) => ('join' in command ? [{ type: 'MemberJoined', data: command.join }] : [{ type: 'NoteAdded', data: { text: command.note } }]),
};

function collector() {
  const lines: string[] = [];
  return { lines, logger: { warn: (line: string) => void lines.push(line) } };
}

const snapshotsEvery = (n: number, logger = collector().logger): SnapshotOptions => ({ schemaVersion: 1, policy: everyNEvents(n), logger });

async function privacyOver(): Promise<Privacy> {
  return openPrivacy({ keyStorage: await openKeyStorage('memory:'), kek: randomBytes(32), personalData });
}

/** A guarded memory store, and its storage: what is stored, as stored. */
async function given() {
  const privacy = await privacyOver();
  const storage = await openStorage('memory:');
  const store = createEventStore(storage, { payloads: privacy.guard });
  await privacy.attach(store);
  return { privacy, storage, store };
}

/** The club-1 stream: Ada and Grace join, then a note, with a snapshot every 3 events (taken at version 3). */
async function clubWithSnapshot(store: EventStore, options = snapshotsEvery(3)) {
  await handleCommand(store, 'club-1', club, { join: { memberId: ADA, name: ADA_NAME } }, { snapshots: options });
  await handleCommand(store, 'club-1', club, { join: { memberId: GRACE, name: GRACE_NAME, email: GRACE_EMAIL } }, { snapshots: options });
  return handleCommand(store, 'club-1', club, { note: 'first meeting' }, { snapshots: options });
}

async function storedText(storage: EventStorage<unknown>, streamId: string): Promise<string> {
  const stored = await storage.snapshots.load(streamId);
  assert.ok(stored, `a snapshot of ${streamId} is stored`);
  return stored.state;
}

test('given a stream with personal data, when a snapshot is taken, then it is stored sealed and loads to the same state', async () => {
  const { storage, store } = await given();
  const result = await clubWithSnapshot(store);
  assert.deepEqual(result.state.names, [ADA_NAME, GRACE_NAME]);

  const text = await storedText(storage, 'club-1');
  assert.ok(isSealedSnapshot(text), 'the stored state is in the sealed form');
  for (const canary of [ADA_NAME, GRACE_NAME, GRACE_EMAIL, 'first meeting']) assert.ok(!text.includes(canary), `${canary} is not stored in the clear`);

  const snapshot = await store.snapshots.load<Club>('club-1');
  assert.equal(snapshot?.version, 3);
  assert.deepEqual(snapshot?.state, result.state);
  const loaded = await loadState(store, 'club-1', club, { snapshots: snapshotsEvery(3) });
  assert.equal(loaded.snapshotVersion, 3, 'the load started from the snapshot');
  assert.deepEqual(loaded.state, result.state);
});

test('given a sealed snapshot, when one of its subjects is forgotten, then it reads as absent and the load folds the events without throwing', async () => {
  const { privacy, storage, store } = await given();
  await clubWithSnapshot(store);
  await privacy.forgetSubject(store, GRACE);

  assert.ok(isSealedSnapshot(await storedText(storage, 'club-1')), 'the sealed row is still there');
  assert.equal(await store.snapshots.load('club-1'), undefined, 'it cannot be opened any more: absent');

  const { lines, logger } = collector();
  const loaded = await loadState(store, 'club-1', club, { snapshots: snapshotsEvery(3, logger) });
  assert.equal(loaded.snapshotVersion, 0, 'folded from the events');
  assert.equal(loaded.version, 3);
  assert.equal(loaded.state.names[0], ADA_NAME);
  assert.ok(isErased(loaded.state.names[1]), "Grace's name reads as the erased marker");
  assert.ok(isErased(loaded.state.emails[0]));
  assert.deepEqual(loaded.state.notes, ['first meeting']);
  assert.deepEqual(lines, [], 'an erased snapshot is not a failure to report');
});

test('given a forgotten subject, when a new snapshot is taken, then it holds the erased markers, stays sealed under the keys left, and opens', async () => {
  const { privacy, storage, store } = await given();
  await clubWithSnapshot(store);
  await privacy.forgetSubject(store, GRACE);

  // The load folds all 3 events (no usable snapshot), so everyNEvents(3) takes one at version 4.
  await handleCommand(store, 'club-1', club, { note: 'second meeting' }, { snapshots: snapshotsEvery(3) });
  const text = await storedText(storage, 'club-1');
  assert.ok(isSealedSnapshot(text), "sealed: Ada's name is in it");
  assert.ok(!text.includes(ADA_NAME));

  const snapshot = await store.snapshots.load<Club>('club-1');
  assert.equal(snapshot?.version, 4);
  assert.deepEqual(snapshot?.state, { names: [ADA_NAME, { erased: true }], emails: [{ erased: true }], notes: ['first meeting', 'second meeting'] });
  const loaded = await loadState(store, 'club-1', club, { snapshots: snapshotsEvery(3) });
  assert.equal(loaded.snapshotVersion, 4);

  // Once every subject is forgotten, the next snapshot has nothing personal to seal: plain JSON.
  await privacy.forgetSubject(store, ADA);
  assert.equal(await store.snapshots.load('club-1'), undefined);
  await handleCommand(store, 'club-1', club, { note: 'third meeting' }, { snapshots: snapshotsEvery(3) });
  const plain = await storedText(storage, 'club-1');
  assert.ok(!isSealedSnapshot(plain));
  assert.deepEqual(JSON.parse(plain), {
    names: [{ erased: true }, { erased: true }],
    emails: [{ erased: true }],
    notes: ['first meeting', 'second meeting', 'third meeting'],
  });
});

test('given a stream without personal data, when a snapshot is taken, then the stored row is plain JSON, as without a guard', async () => {
  const { storage, store } = await given();
  const options = snapshotsEvery(2);
  await handleCommand(store, 'notes-1', club, { note: 'one' }, { snapshots: options });
  const result = await handleCommand(store, 'notes-1', club, { note: 'two' }, { snapshots: options });
  assert.equal(await storedText(storage, 'notes-1'), JSON.stringify(result.state));
  assert.deepEqual((await store.snapshots.load('notes-1'))?.state, result.state);

  // A snapshot saved directly, of a stream whose events the guard handles but hold no sealed field, is plain too.
  await store.appendToStream('club-2', [{ type: 'MemberJoined', data: { memberId: ADA } }]);
  assert.equal(await store.snapshots.save({ streamId: 'club-2', version: 1, schemaVersion: 1, state: { count: 1 } }), true);
  assert.equal(await storedText(storage, 'club-2'), '{"count":1}');
});

test('given a sealed snapshot, when it is altered or copied to another stream, then loading it is a SealedSnapshotError and loaders fold the stream', async () => {
  const { storage, store } = await given();
  const result = await clubWithSnapshot(store);
  const text = await storedText(storage, 'club-1');

  // One character of the ciphertext changed (inside the base64, so it stays well formed).
  const at = text.indexOf('"ct":"') + 10;
  const altered = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  await storage.snapshots.save({ streamId: 'club-1', version: 3, schemaVersion: 1, state: altered });
  await assert.rejects(store.snapshots.load('club-1'), (error: unknown) => {
    assert.ok(error instanceof SealedSnapshotError);
    assert.equal(error.code, 'SNAPSHOT_SEAL_INVALID');
    assert.equal(error.reason, 'authentication');
    assert.equal(error.streamId, 'club-1');
    assert.ok(!error.message.includes(ADA_NAME));
    return true;
  });
  const { lines, logger } = collector();
  const loaded = await loadState(store, 'club-1', club, { snapshots: snapshotsEvery(3, logger) });
  assert.equal(loaded.snapshotVersion, 0);
  assert.deepEqual(loaded.state, result.state);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /sealed snapshot of stream 'club-1' at version 3 cannot be opened/);

  // The intact text under another stream (with the same events) does not open either.
  await store.appendToStream('club-copy', [...(await store.readStream('club-1'))].map(({ type, data }) => ({ type, data })));
  await storage.snapshots.save({ streamId: 'club-copy', version: 3, schemaVersion: 1, state: text });
  await assert.rejects(store.snapshots.load('club-copy'), SealedSnapshotError);

  // Malformed sealed text: typed as well.
  await storage.snapshots.save({ streamId: 'club-copy', version: 3, schemaVersion: 1, state: 'eventline.sealed-snapshot.v1:{"kids":[]}' });
  await assert.rejects(store.snapshots.load('club-copy'), (error: unknown) => error instanceof SealedSnapshotError && error.reason === 'malformed');
});

test('given a store without a guard, snapshots are stored and loaded as before, and a guard must give both snapshot functions or neither', async () => {
  const store = await openEventStore('memory:');
  await store.appendToStream('club-1', [{ type: 'MemberJoined', data: { memberId: ADA, name: ADA_NAME } }]);
  await store.snapshots.save({ streamId: 'club-1', version: 1, schemaVersion: 1, state: { names: [ADA_NAME] } });
  assert.deepEqual((await store.snapshots.load('club-1'))?.state, { names: [ADA_NAME] });

  const half: PayloadGuard = { handles: () => false, seal: async () => [], reveal: async () => [], sealSnapshot: async () => undefined };
  assert.throws(() => createEventStore({} as EventStorage<unknown>, { payloads: half }), /sealSnapshot and revealSnapshot/);
});

test('given privacy not attached yet, a plain snapshot still loads, and a sealed one is refused as personal data is', async () => {
  const { privacy, storage } = await given();
  const unattached = await privacyOver();
  const store = createEventStore(storage, { payloads: privacy.guard });
  await clubWithSnapshot(store);
  await handleCommand(store, 'notes-1', club, { note: 'one' }, { snapshots: snapshotsEvery(1) });

  const early = createEventStore(storage, { payloads: unattached.guard });
  assert.deepEqual((await early.snapshots.load('notes-1'))?.state, { names: [], emails: [], notes: ['one'] });
  await assert.rejects(early.snapshots.load('club-1'), /is not attached/);
});

// SQLite on a temp file: the snapshot table's row and the database file itself hold no canary.
const folder = mkdtempSync(join(tmpdir(), 'eventline-privacy-snapshots-'));
after(() => rmSync(folder, { recursive: true, force: true }));

test('given a SQLite file, when a stream with personal data is snapshotted, then neither the snapshot row nor the file holds a name in the clear', async () => {
  const file = join(folder, 'events.db');
  const privacy = await privacyOver();
  const store = await openEventStore(`sqlite:${file}`, { payloads: privacy.guard });
  await privacy.attach(store);
  const result = await clubWithSnapshot(store);
  // A control: a stream without personal data, whose snapshot is plain JSON, shows the file check can see text.
  await handleCommand(store, 'notes-1', club, { note: 'plain Canary-0a9b' }, { snapshots: snapshotsEvery(1) });
  assert.deepEqual((await store.snapshots.load<Club>('club-1'))?.state, result.state);
  await store.close();

  const db = await openDatabase(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rows = db.prepare('SELECT stream_id, state FROM snapshots ORDER BY stream_id').all() as { stream_id: string; state: string }[];
  db.close();
  assert.deepEqual(rows.map((row) => row.stream_id), ['club-1', 'notes-1']);
  assert.ok(isSealedSnapshot(rows[0]!.state));
  assert.equal(rows[1]!.state, '{"names":[],"emails":[],"notes":["plain Canary-0a9b"]}');

  const bytes = readdirSync(folder)
    .filter((name) => name.startsWith('events.db'))
    .map((name) => readFileSync(join(folder, name)).toString('latin1'))
    .join('');
  assert.ok(bytes.includes('plain Canary-0a9b'), 'the control is found in the file');
  for (const canary of [ADA_NAME, GRACE_NAME, GRACE_EMAIL]) assert.ok(!bytes.includes(canary), `${canary} is not in the database file`);

  // Reopened, with the same keys: the snapshot opens; after forgetting Grace it reads as absent.
  const reopened = await openEventStore(`sqlite:${file}`, { payloads: privacy.guard });
  try {
    const loaded = await loadState(reopened, 'club-1', club, { snapshots: snapshotsEvery(3) });
    assert.equal(loaded.snapshotVersion, 3);
    assert.deepEqual(loaded.state, result.state);
    await privacy.forgetSubject(reopened, GRACE);
    assert.equal(await reopened.snapshots.load('club-1'), undefined);
    const refolded = await loadState(reopened, 'club-1', club, { snapshots: snapshotsEvery(3) });
    assert.equal(refolded.snapshotVersion, 0);
    assert.ok(isErased(refolded.state.names[1]));
  } finally {
    await reopened.close();
  }
});
