// eventline/testing: what store authors and application tests need.

export { eventStoreConformance, type ConformanceOptions } from './conformance/index.js';
export { keyStorageConformance, type KeyStorageConformanceOptions } from './key-storage-conformance.js';
export { postgresTestUrl, postgresUnavailable, type PostgresTestDatabase } from './postgres.js';
export { natsTestStreams, natsUnavailable, type NatsTestStreams } from './nats.js';
export { onEveryStore, testStores, type Reopen, type TestStore } from './test-stores.js';
export { deciderSpec, type DeciderSpec, type DeciderThen, type ExpectedError } from './decider-spec.js';
export {
  workflowSpec,
  commandSucceeded,
  commandRejected,
  clockMovedBy,
  clockMovedTo,
  type WorkflowSpec,
  type WorkflowWhen,
  type WorkflowThen,
  type WorkflowSpecOutput,
  type WorkflowSpecResult,
  type SpecInput,
  type SpecEvent,
  type SpecHappening,
} from './workflow-spec.js';
export {
  runWorkflowFaults,
  RUNTIME_POINTS,
  type WorkflowFaultsOptions,
  type WorkflowFaultsResult,
  type FaultScenarioContext,
  type FaultParticipant,
  type FaultRun,
  type FaultRunKind,
  type FaultOutcome,
  type RuntimePoint,
} from './workflow-faults.js';
export { outboxParticipant, type OutboxParticipant, type OutboxParticipantOptions, type OutboxOutcome, type OutboxRunTally } from './outbox-faults.js';
