// The shape of an event's data as contract checks compare it: its JSON structure (the
// keys of objects and the kinds of values, recursively), never the values themselves.

/** A JSON value's kind, with the keys of an object and the element shapes of an array. */
export type Shape = 'null' | 'boolean' | 'number' | 'string' | { array: Shape[] } | { object: { [key: string]: Shape } };

/** The shape of a JSON value. An array's shape is the distinct shapes of its elements. */
export function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return typeof value as Shape;
  if (Array.isArray(value)) {
    const distinct = new Map<string, Shape>();
    for (const element of value) {
      const shape = shapeOf(element);
      distinct.set(JSON.stringify(shape), shape);
    }
    return { array: [...distinct.keys()].sort().map((key) => distinct.get(key)!) };
  }
  const object: { [key: string]: Shape } = {};
  for (const key of Object.keys(value as object).sort()) object[key] = shapeOf((value as Record<string, unknown>)[key]);
  return { object };
}

/**
 * Where `current` differs from `approved`, one phrase per difference, naming paths and
 * kinds only: `tags: added`, `authorId: removed`, `author: string, now object`. An empty
 * array says nothing of its elements, so it matches an array of anything.
 */
export function shapeDifferences(approved: Shape, current: Shape, path = ''): string[] {
  const at = path === '' ? '(the data)' : path;
  const kind = (shape: Shape) => (typeof shape === 'string' ? shape : 'array' in shape ? 'array' : 'object');
  if (kind(approved) !== kind(current)) return [`${at}: ${kind(approved)}, now ${kind(current)}`];
  if (typeof approved === 'string' || typeof current === 'string') return [];
  if ('array' in approved && 'array' in current) {
    if (approved.array.length === 0 || current.array.length === 0) return [];
    const same = JSON.stringify(approved.array) === JSON.stringify(current.array);
    return same ? [] : [`${path}[]: elements of another shape`];
  }
  const before = (approved as { object: Record<string, Shape> }).object;
  const after = (current as { object: Record<string, Shape> }).object;
  const differences: string[] = [];
  for (const key of Object.keys(before)) {
    const child = path === '' ? key : `${path}.${key}`;
    if (!Object.hasOwn(after, key)) differences.push(`${child}: removed`);
    else differences.push(...shapeDifferences(before[key]!, after[key]!, child));
  }
  for (const key of Object.keys(after)) if (!Object.hasOwn(before, key)) differences.push(`${path === '' ? key : `${path}.${key}`}: added`);
  return differences;
}
