// Eventline's API for applications, exported by name. A store author's interfaces and
// helpers are in storage.ts (eventline/storage); test helpers in testing/ (eventline/testing).

export {
  EventlineError,
  isEventlineError,
  ValidationError,
  EventTooLargeError,
  ConcurrencyError,
  DuplicateEventError,
  StoreOpenError,
  StoreClosedError,
  StoreBusyError,
  DomainError,
  NotFoundError,
  ProjectionTimeoutError,
  ProjectionBusyError,
  ProjectionFailedError,
  type ExpectedVersion,
  type StoreOpenReason,
} from './core/errors.js';
export type { NewEvent, RecordedEvent, JsonValue } from './core/events.js';
export { copyCodec, jsonCodec, type EventCodec, type EventPayload, type EncodedPayload } from './core/codec.js';
export { uuidv7, isUuid, derivedId } from './core/uuid.js';
export {
  DEFAULT_MAX_EVENT_BYTES,
  type EventStore,
  type EventStoreOptions,
  type AppendOptions,
  type ReadStreamOptions,
  type ReadAllOptions,
  type ListStreamsOptions,
  type FoldedEvent,
  type FoldOptions,
  type FoldResult,
} from './store/event-store.js';
export type { EventReads } from './store/reads.js';
export type { AppendResult, Direction, EventFilter, StoreStats, StreamInfo } from './store/storage.js';
export { openEventStore, defaultStoreUrl, DEFAULT_STORE_URL, type OpenOptions } from './open/open-store.js';
export {
  handleCommand,
  loadState,
  DEFAULT_MAX_RETRIES,
  type Decider,
  type DeciderEvent,
  type CommandResult,
  type HandleCommandOptions,
  commandEventId,
  type LoadedState,
  type StateFolder,
} from './commands/index.js';
export type { LoadStateOptions } from './commands/load-state.js';
export type { SnapshotInfo } from './store/storage.js';
export {
  MAX_SNAPSHOT_SCHEMA_VERSION,
  type ListSnapshotsOptions,
  type NewSnapshot,
  type Snapshot,
  type SnapshotStore,
} from './store/snapshot-store.js';
export {
  everyNEvents,
  whenLoadReadMoreThan,
  DEFAULT_SNAPSHOT_EVERY,
  type SnapshotLogger,
  type SnapshotMoment,
  type SnapshotOptions,
  type SnapshotPolicy,
} from './snapshots/index.js';
export { Aggregate, createRepository, type Repository, type RepositoryOptions, type SaveResult } from './aggregates/index.js';
export type { SubscribeOptions, Subscription } from './store/subscription.js';
export type { ReadModelDb, ReadModelStorage, ReadModelTables, ScratchReadModels, SqlValue, Lease } from './store/read-models.js';
export type { AppendHook, InTransaction } from './store/event-store.js';
export {
  defineProjection,
  startProjections,
  projectionControls,
  rebuildProjection,
  type Projection,
  type ProjectionDefinition,
  type Projections,
  type ProjectionsOptions,
  type ProjectionStatus,
  type ProjectionState,
  type RebuildOptions,
  type RebuildProgress,
} from './projections/index.js';
export {
  queryEvents,
  findEvents,
  categoryOf,
  projectionAsOf,
  stateAsOf,
  diffRows,
  asOfBounds,
  type EventQuery,
  type AsOf,
  type TableRow,
  type TableAsOf,
  type ProjectionAsOfOptions,
  type RowChange,
  type RowDiff,
} from './queries/index.js';
export {
  defineWorkflow,
  send,
  publish,
  schedule,
  cancel,
  complete,
  fail,
  compensate,
  startWorkflows,
  workflowControls,
  systemClock,
  workflowStreamId,
  OUTBOX_MESSAGE,
  WorkflowEventTypes,
  type Workflow,
  type WorkflowDefinition,
  type WorkflowInput,
  type WorkflowEvent,
  type WorkflowContext,
  type WorkflowOutput,
  type WorkflowCommand,
  type OutboxMessageData,
  type CommandSentData,
  type CommandDoneData,
  type TimerScheduledData,
  type TimerFiredData,
  type InstanceStatus,
  type TimerView,
  type CommandView,
  type Clock,
  type Workflows,
  type WorkflowsOptions,
  type CommandHandler,
  type WorkflowControls,
  type WorkflowDetail,
  type WorkflowStep,
  type WorkflowSummary,
  type VerifyReport,
  type VerifyDifference,
  type WorkflowFaults,
  type FaultPoint,
} from './workflows/index.js';
