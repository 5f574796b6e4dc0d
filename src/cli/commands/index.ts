// Every command, in the order help lists them.

import type { Command } from '../command.js';
import { appendCommand } from './append.js';
import { contractsCommand } from './contracts.js';
import { copyCommand } from './copy.js';
import { archiveCommand } from './archive.js';
import { keysCommand } from './keys.js';
import { projectionsCommand } from './projections.js';
import { pruneCommand } from './prune.js';
import { queryCommand } from './query.js';
import { readAllCommand } from './read-all.js';
import { readCommand } from './read.js';
import { snapshotsCommand } from './snapshots.js';
import { statsCommand } from './stats.js';
import { streamsCommand } from './streams.js';
import { subjectsCommand } from './subjects.js';
import { workflowsCommand } from './workflows.js';


export const COMMANDS: readonly Command[] = [appendCommand, readCommand, readAllCommand, streamsCommand, statsCommand, snapshotsCommand, projectionsCommand, workflowsCommand, queryCommand, pruneCommand, archiveCommand, copyCommand, subjectsCommand, keysCommand, contractsCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
