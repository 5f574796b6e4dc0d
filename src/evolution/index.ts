// Event schema evolution: versions, upcasters and renames (schemas.ts), applied by the
// EventStore as it encodes and decodes (codec.ts); the shapes contract checks compare (shape.ts).

export {
  defineEventSchemas,
  storedVersionOf,
  SCHEMA_VERSION_KEY,
  MAX_SCHEMA_VERSION,
  type EventSchema,
  type EventSchemaDeclarations,
  type EventSchemas,
  type Upcaster,
  type UpcastResult,
  type VersionedEvent,
} from './schemas.js';
export { schemaCodec, upcastInPlace, revealedUpcaster } from './codec.js';
export { shapeOf, shapeDifferences, type Shape } from './shape.js';
