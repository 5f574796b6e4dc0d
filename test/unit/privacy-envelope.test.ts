// A personal field sealed on its own: it opens only with its key, in its event, at its
// path, under its key id; every other attempt is an EnvelopeError that says nothing of
// the value or the key. And the marker an erased field reads as.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { EnvelopeError, isEventlineError, ValidationError, type EnvelopeFailure } from '../../src/core/errors.js';
import { erasedField, isEnvelope, isErased, openField, sealField, type Envelope } from '../../src/privacy/index.js';

const key = randomBytes(32);
const kid = '0123456789abcdef0123456789abcdef.contact.a1b2c3d4';
const where = { eventId: 'evt-1', path: 'email' };
const secretValue = 'ada.lovelace@example.org';

/** The envelope with one byte of its nonce or ciphertext flipped. */
function flipped(envelope: Envelope, field: 'nonce' | 'ct', at: number): Envelope {
  const bytes = Buffer.from(envelope[field], 'base64');
  const index = at < 0 ? bytes.length + at : at;
  bytes[index] = bytes[index]! ^ 0x01;
  return { ...envelope, [field]: bytes.toString('base64') };
}

/** Asserts that opening fails with an EnvelopeError of this reason, whose message holds neither the value nor the key. */
function assertRefused(open: () => unknown, reason: EnvelopeFailure): void {
  assert.throws(open, (error) => {
    assert.ok(error instanceof EnvelopeError, String(error));
    assert.equal(error.code, 'ENVELOPE_INVALID');
    assert.ok(isEventlineError(error));
    assert.equal(error.reason, reason);
    for (const secret of [secretValue, key.toString('base64'), key.toString('hex')]) assert.ok(!error.message.includes(secret), error.message);
    return true;
  });
}

test('given a sealed field, when it is opened with its key, event and path, then the value comes back as it was', () => {
  for (const value of [secretValue, 42, null, true, { street: 'Rue de Rivoli', number: 1 }, ['a', 'ü', '🦊'], '']) {
    const envelope = sealField(value, { key, kid, ...where });
    assert.deepEqual(openField(envelope, { key, ...where }), value);
  }
});

test('given a sealed field, then it is an envelope { v: 1, kid, nonce, ct } holding no plaintext, and a fresh nonce each time', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  assert.deepEqual(Object.keys(envelope).sort(), ['ct', 'kid', 'nonce', 'v']);
  assert.equal(envelope.v, 1);
  assert.equal(envelope.kid, kid);
  assert.equal(Buffer.from(envelope.nonce, 'base64').length, 12);
  // The JSON text of the value, then the 16-byte tag.
  assert.equal(Buffer.from(envelope.ct, 'base64').length, JSON.stringify(secretValue).length + 16);
  assert.ok(!JSON.stringify(envelope).includes('lovelace'));
  assert.ok(isEnvelope(envelope));
  const again = sealField(secretValue, { key, kid, ...where });
  assert.notEqual(again.nonce, envelope.nonce);
  assert.notEqual(again.ct, envelope.ct);
});

test('given a sealed field, when its nonce, tag or ciphertext is tampered with, then it does not open', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  assertRefused(() => openField(flipped(envelope, 'nonce', 0), { key, ...where }), 'authentication');
  assertRefused(() => openField(flipped(envelope, 'ct', -1), { key, ...where }), 'authentication');
  assertRefused(() => openField(flipped(envelope, 'ct', 0), { key, ...where }), 'authentication');
});

test('given a sealed field, when it is relabelled with another key id, then it does not open', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  assertRefused(() => openField({ ...envelope, kid: kid.replace('contact', 'profile') }, { key, ...where }), 'authentication');
});

test('given a sealed field, when it is moved to another event or another path, then it does not open', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  assertRefused(() => openField(envelope, { key, eventId: 'evt-2', path: 'email' }), 'authentication');
  assertRefused(() => openField(envelope, { key, eventId: 'evt-1', path: 'name' }), 'authentication');
});

test('given the associated data, then event id and path cannot trade characters (it is length-prefixed)', () => {
  const envelope = sealField(secretValue, { key, kid, eventId: 'ab', path: 'c' });
  assertRefused(() => openField(envelope, { key, eventId: 'a', path: 'bc' }), 'authentication');
});

test('given a sealed field, when it is opened with another key, or no usable key, then it does not open', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  assertRefused(() => openField(envelope, { key: randomBytes(32), ...where }), 'authentication');
  assertRefused(() => openField(envelope, { key: randomBytes(16), ...where }), 'key');
});

test('given something that is not an envelope, when it is opened, then it is refused as malformed', () => {
  const envelope = sealField(secretValue, { key, kid, ...where });
  const { ct: _ct, ...withoutCt } = envelope;
  for (const bad of [
    null,
    'text',
    [envelope],
    withoutCt,
    { ...envelope, extra: 1 },
    { ...envelope, kid: '' },
    { ...envelope, nonce: 'not base64!' },
    { ...envelope, nonce: Buffer.alloc(8).toString('base64') },
    { ...envelope, ct: Buffer.alloc(16).toString('base64') },
    { ...envelope, v: '1' },
  ]) {
    assert.equal(isEnvelope(bad), false, JSON.stringify(bad));
    assertRefused(() => openField(bad, { key, ...where }), 'malformed');
  }
});

test('given an envelope of a version this Eventline does not know, then it is still an envelope, and opening it is refused by version', () => {
  const future = { ...sealField(secretValue, { key, kid, ...where }), v: 2 };
  assert.ok(isEnvelope(future), 'never mistaken for plain data');
  assertRefused(() => openField(future, { key, ...where }), 'version');
});

test('given a value JSON cannot carry or a bad key, when it is sealed, then a ValidationError says so without the value', () => {
  assert.throws(() => sealField(undefined, { key, kid, ...where }), (e) => e instanceof ValidationError && e.field === 'email');
  assert.throws(() => sealField(secretValue, { key: randomBytes(31), kid, ...where }), (e) => e instanceof ValidationError && e.field === 'key' && !e.message.includes(secretValue));
  assert.throws(() => sealField(secretValue, { key, kid: '', ...where }), (e) => e instanceof ValidationError && e.field === 'kid');
});

test('given an erased field, then it reads as a frozen { erased: true } marker that JSON writes as {"erased":true}', () => {
  const marker = erasedField();
  assert.ok(isErased(marker));
  assert.ok(Object.isFrozen(marker));
  assert.equal(marker.erased, true);
  assert.equal(JSON.stringify({ name: marker }), '{"name":{"erased":true}}');
  assert.deepStrictEqual(marker, { erased: true });
});

test('given data that only looks like the marker, then it is not taken for an erased field', () => {
  for (const lookalike of [{ erased: true }, JSON.parse(JSON.stringify(erasedField())), 'erased', null, undefined, { erased: 'true' }]) {
    assert.equal(isErased(lookalike), false, JSON.stringify(lookalike));
  }
});
