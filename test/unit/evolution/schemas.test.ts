// Declaring event schemas: a declaration is checked whole when it is made, and each
// problem is a SchemaDeclarationError naming its place, so a store is never opened with
// a chain that has a gap. Upcasting runs the chain from the stored version, follows
// renames, and refuses a version newer than the code or an upcaster's bad answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineEventSchemas, openEventStore, SchemaDeclarationError, SchemaVersionError, UpcastError, type EventSchemaDeclarations } from '../../../src/index.js';

const refused = (declarations: unknown, field: string) =>
  assert.throws(() => defineEventSchemas(declarations as EventSchemaDeclarations), (error) => error instanceof SchemaDeclarationError && error.code === 'SCHEMA_DECLARATION_INVALID' && error.field === field);

test('a declaration with a gap, a bad version, a stray upcaster or an unknown option is refused, naming the place', () => {
  refused({ A: { version: 3, upcast: { 1: (d: object) => d } } }, 'schemas.A.upcast.2');
  refused({ A: { version: 2, upcast: { 1: 'not a function' } } }, 'schemas.A.upcast.1');
  refused({ A: { version: 2, upcast: { 1: (d: object) => d, 2: (d: object) => d } } }, 'schemas.A.upcast.2');
  refused({ A: { version: 0 } }, 'schemas.A.version');
  refused({ A: { version: 1.5 } }, 'schemas.A.version');
  refused({ A: { version: 1, upcasts: {} } }, 'schemas.A.upcasts');
  refused({ A: { version: 1, validate: 'yes' } }, 'schemas.A.validate');
  refused({ '': { version: 1 } }, 'schemas.');
  refused([], 'schemas');
});

test('a rename claimed twice, or naming a type declared on its own, is refused', () => {
  refused({ A: { version: 1, renamedFrom: ['Old'] }, B: { version: 1, renamedFrom: ['Old'] } }, 'schemas.B.renamedFrom[0]');
  refused({ A: { version: 1, renamedFrom: ['A'] } }, 'schemas.A.renamedFrom[0]');
  refused({ A: { version: 1, renamedFrom: ['B'] }, B: { version: 1 } }, 'schemas.A.renamedFrom');
});

test('a store is not opened with schemas defineEventSchemas did not make', async () => {
  await assert.rejects(openEventStore('memory:', { schemas: { PostWasCreated: { version: 2 } } as never }), SchemaDeclarationError);
});

test('upcast runs the chain from the stored version, follows a rename, and leaves undeclared types alone', () => {
  const schemas = defineEventSchemas({
    B: { version: 3, upcast: { 1: (d: { n: number }) => ({ n: d.n + 1 }), 2: (d: { n: number }) => ({ m: d.n * 10 }) }, renamedFrom: ['A'] },
  });
  assert.deepEqual(schemas.upcast({ type: 'B', data: { n: 1 }, version: 1 }), { type: 'B', data: { m: 20 }, version: 3 });
  assert.deepEqual(schemas.upcast({ type: 'A', data: { n: 1 }, version: 2 }), { type: 'B', data: { m: 10 }, version: 3 });
  const undeclared = { type: 'C', data: {}, version: 7 };
  assert.equal(schemas.upcast(undeclared), undeclared);
  assert.deepEqual(schemas.storedTypesOf('B'), ['B', 'A']);
  assert.equal(schemas.currentTypeOf('A'), 'B');
  assert.equal(schemas.versionOf('C'), undefined);
});

test('a version newer than the current one, or not a version, is a SchemaVersionError; an async upcaster an UpcastError', () => {
  const schemas = defineEventSchemas({ B: { version: 2, upcast: { 1: (async (d: object) => d) as never } } });
  assert.throws(() => schemas.upcast({ type: 'B', data: {}, version: 3 }), (error) => error instanceof SchemaVersionError && error.version === 3);
  assert.throws(() => schemas.upcast({ type: 'B', data: {}, version: Number.NaN }), (error) => error instanceof SchemaVersionError && error.version === undefined);
  assert.throws(() => schemas.upcast({ type: 'B', data: {}, version: 1 }), (error) => error instanceof UpcastError && /promise/.test(error.message));
});
