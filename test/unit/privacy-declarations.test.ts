// Declaring personal data: which fields of an event are personal, whose, of what category.
// A declaration is checked whole when it is made; a subject id is checked where it is used,
// and an email-shaped one is refused without being repeated.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../src/core/errors.js';
import { definePersonalData, subjectIdOf } from '../../src/privacy/index.js';

const personalData = definePersonalData({
  AuthorRegistered: [
    { path: 'name', subject: (event) => event.data.authorId, category: 'profile' },
    { path: 'email', subject: (event) => event.data.authorId, category: 'contact' },
  ],
  ReviewAssigned: [
    { path: 'author.name', subject: (event) => event.data.authorId, category: 'profile' },
    { path: 'reviewer.name', subject: (event) => event.data.reviewerId, category: 'profile' },
  ],
});

/** Asserts a ValidationError naming `field`, whose message does not contain `hidden`. */
function refused(run: () => unknown, field: string | RegExp, hidden?: string): void {
  assert.throws(run, (error) => {
    assert.ok(error instanceof ValidationError, String(error));
    if (typeof field === 'string') assert.equal(error.field, field);
    else assert.match(error.field, field);
    if (hidden !== undefined) assert.ok(!error.message.includes(hidden), error.message);
    return true;
  });
}

test('given a declaration, then each event type lists its personal fields with path, segments and category', () => {
  assert.deepEqual(personalData.types, ['AuthorRegistered', 'ReviewAssigned']);
  const fields = personalData.fieldsOf('ReviewAssigned');
  assert.deepEqual(fields.map((f) => [f.path, f.segments, f.category]), [
    ['author.name', ['author', 'name'], 'profile'],
    ['reviewer.name', ['reviewer', 'name'], 'profile'],
  ]);
  assert.deepEqual(personalData.fieldsOf('PostPublished'), []);
  assert.ok(Object.isFrozen(personalData) && Object.isFrozen(fields) && Object.isFrozen(fields[0]));
});

test('given one event that names two people, then each field finds its own subject', () => {
  const event = { type: 'ReviewAssigned', data: { authorId: 'author-17', reviewerId: 'user-4', author: { name: 'Ada' }, reviewer: { name: 'Grace' } } };
  assert.deepEqual(personalData.fieldsOf('ReviewAssigned').map((field) => field.subjectOf(event)), ['author-17', 'user-4']);
});

test('given an email as the subject of an event, when its subject is asked for, then it is refused by the declaration, without the email', () => {
  const [name] = personalData.fieldsOf('AuthorRegistered');
  const event = { type: 'AuthorRegistered', data: { authorId: 'ada@example.org', name: 'Ada' } };
  refused(() => name!.subjectOf(event), 'personalData.AuthorRegistered[0].subject', 'ada@example.org');
});

test('given subject ids, then surrogate ids pass and email-shaped, blank, spaced, long or non-string ones are refused without being echoed', () => {
  for (const good of ['author-17', '0b6c1e0e-7e8f-4b1a-9d8e-3f1c2a4b5c6d', 'user@localhost', 'a.b@c']) assert.equal(subjectIdOf(good, 'subjectId'), good);
  assert.throws(() => subjectIdOf('ada@example.org', 'subjectId'), /an email-shaped subject id is refused: use a surrogate id/);
  for (const bad of ['ada@example.org', 'Ada.Lovelace@Example.ORG', 'ada lovelace', 'tab\tid', '', 'x'.repeat(201)]) {
    refused(() => subjectIdOf(bad, 'subjectId'), 'subjectId', bad === '' ? undefined : bad);
  }
  for (const bad of [17, null, undefined, { id: 'a' }]) refused(() => subjectIdOf(bad, 'subjectId'), 'subjectId');
});

test('given a bad declaration, when it is defined, then a ValidationError names the field at fault', () => {
  const subject = () => 'author-17';
  const cases: [unknown, string][] = [
    [{ A: [{ path: '', subject, category: 'profile' }] }, 'personalData.A[0].path'],
    [{ A: [{ path: 'address..city', subject, category: 'profile' }] }, 'personalData.A[0].path'],
    [{ A: [{ path: '.name', subject, category: 'profile' }] }, 'personalData.A[0].path'],
    [{ A: [{ path: 'a.__proto__', subject, category: 'profile' }] }, 'personalData.A[0].path'],
    [{ A: [{ path: 7, subject, category: 'profile' }] }, 'personalData.A[0].path'],
    [{ A: [{ path: 'name', subject, category: 'Profile' }] }, 'personalData.A[0].category'],
    [{ A: [{ path: 'name', subject, category: '9lives' }] }, 'personalData.A[0].category'],
    [{ A: [{ path: 'name', subject, category: 'x'.repeat(33) }] }, 'personalData.A[0].category'],
    [{ A: [{ path: 'name', subject: 'authorId', category: 'profile' }] }, 'personalData.A[0].subject'],
    [{ A: [{ path: 'name', subject, category: 'profile', categry: 'x' }] }, 'personalData.A[0].categry'],
    [{ A: [{ path: 'name', subject, category: 'profile' }, 'email'] }, 'personalData.A[1]'],
    [{ A: [{ path: 'name', subject, category: 'profile' }, { path: 'name', subject, category: 'contact' }] }, 'personalData.A'],
    [{ A: [{ path: 'address', subject, category: 'contact' }, { path: 'address-b', subject, category: 'contact' }, { path: 'address.city', subject, category: 'contact' }] }, 'personalData.A'],
    [{ A: { path: 'name', subject, category: 'profile' } }, 'personalData.A'],
    [{ '': [] }, 'personalData.'],
    [null, 'personalData'],
  ];
  for (const [declaration, field] of cases) {
    refused(() => definePersonalData(declaration as never), field);
  }
});

test('given categories, then lower-case names up to 32 characters with digits, _ and - pass', () => {
  const subject = () => 'author-17';
  const registry = definePersonalData({ A: [{ path: 'a', subject, category: 'p' }, { path: 'b', subject, category: 'health_data-2' }, { path: 'c', subject, category: 'x'.repeat(32) }] });
  assert.equal(registry.fieldsOf('A').length, 3);
});

test('given a map of event types to their data, then selectors are typed by it', () => {
  interface AuthorRegistered {
    author: { id: string };
    name: string;
  }
  const typed = definePersonalData<{ AuthorRegistered: AuthorRegistered }>({
    AuthorRegistered: [{ path: 'name', subject: (event) => event.data.author.id, category: 'profile' }],
  });
  const event = { type: 'AuthorRegistered', data: { author: { id: 'author-17' }, name: 'Ada' } };
  assert.equal(typed.fieldsOf('AuthorRegistered')[0]!.subjectOf(event), 'author-17');
});
