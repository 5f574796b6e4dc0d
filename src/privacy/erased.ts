// What a personal field reads as once its key is gone: a marker, never an exception, so a
// stream that mentions a forgotten person still loads and folds, and its other fields
// (and other people's fields) read as before.

/**
 * Marks the one marker, in a registry every copy of Eventline shares, so `isErased`
 * recognises it across copies of the package. Not enumerable: JSON and deep equality
 * see a plain `{ erased: true }`.
 */
const MARK = Symbol.for('eventline.erased');

/** The value of a personal field whose subject (or category) has been forgotten. JSON: `{"erased":true}`. */
export interface ErasedField {
  readonly erased: true;
}

const ERASED: ErasedField = Object.freeze(Object.defineProperty({ erased: true as const }, MARK, { value: true }));

/** The marker an erased field reads as (one frozen object). */
export function erasedField(): ErasedField {
  return ERASED;
}

/**
 * Whether `value` is the erased marker. Data of the application that merely looks like it
 * (a plain `{ erased: true }`, or one parsed back from JSON) is not taken for it.
 *
 * @example
 * const name = isErased(event.data.name) ? '(forgotten)' : event.data.name;
 */
export function isErased(value: unknown): value is ErasedField {
  return typeof value === 'object' && value !== null && (value as { [MARK]?: unknown })[MARK] === true;
}
