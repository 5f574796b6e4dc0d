// Workflows: durable multi-step processes whose inputs, outputs and timers are events
// in the same store as the domain.

export { defineWorkflow, type Workflow, type WorkflowDefinition, type WorkflowInput, type WorkflowEvent, type WorkflowContext } from './definition.js';
export { send, publish, schedule, cancel, complete, fail, compensate, type WorkflowOutput } from './outputs.js';
export {
  WorkflowEventTypes,
  workflowStreamId,
  type WorkflowCommand,
  type CommandSentData,
  type CommandDoneData,
  type TimerScheduledData,
  type TimerFiredData,
} from './events.js';
export type { InstanceStatus, TimerView, CommandView } from './instance.js';
export { systemClock, type Clock } from './clock.js';
export { startWorkflows, type Workflows, type WorkflowsOptions, type CommandHandler } from './runtime.js';
export { workflowControls, type WorkflowControls, type WorkflowDetail, type WorkflowStep, type WorkflowSummary } from './controls.js';
export type { VerifyReport, VerifyDifference } from './verify.js';
export type { WorkflowFaults, FaultPoint } from './step.js';
export * from './outbox/index.js';
