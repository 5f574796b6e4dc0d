// Command handling: deciders, and the load-decide-append loop that runs them on any store.

export type { Decider, DeciderEvent } from './decider.js';
export { loadState, type LoadedState, type StateFolder } from './load-state.js';
export {
  handleCommand,
  commandEventId,
  DEFAULT_MAX_RETRIES,
  type CommandResult,
  type HandleCommandOptions,
} from './handle-command.js';
