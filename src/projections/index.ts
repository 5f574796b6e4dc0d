// Projections: read models in real tables, kept by checkpoints in the same transaction.

export { defineProjection, type Projection, type ProjectionDefinition } from './projection.js';
export { startProjections, projectionControls, type Projections, type ProjectionsOptions, type ProjectionStatus } from './host.js';
export { rebuildProjection, type RebuildOptions, type RebuildProgress } from './rebuild.js';
export type { ProjectionState } from './checkpoints.js';
