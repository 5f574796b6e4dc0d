// Queries: asking the events directly, and asking what was true at an earlier point.

export { queryEvents, findEvents, categoryOf, type EventQuery } from './events.js';
export {
  projectionAsOf,
  stateAsOf,
  diffRows,
  asOfBounds,
  type AsOf,
  type TableRow,
  type TableAsOf,
  type ProjectionAsOfOptions,
  type RowChange,
  type RowDiff,
} from './as-of.js';
