// Every command, in the order help lists them.

import type { Command } from '../command.js';
import { appendCommand } from './append.js';
import { contractsCommand } from './contracts.js';
import { copyCommand } from './copy.js';
import { archiveCommand } from './archive.js';
import { backupCommand } from './backup.js';
import { keysCommand } from './keys.js';
import { projectionsCommand } from './projections.js';
import { pruneCommand } from './prune.js';
import { queryCommand } from './query.js';
import { readAllCommand } from './read-all.js';
import { readCommand } from './read.js';
import { reclaimCommand } from './reclaim.js';
import { recoverCommand } from './recover.js';
import { restoreCommand } from './restore.js';
import { snapshotsCommand } from './snapshots.js';
import { statsCommand } from './stats.js';
import { streamsCommand } from './streams.js';
import { subjectsCommand } from './subjects.js';
import { workflowsCommand } from './workflows.js';


export const COMMANDS: readonly Command[] = [appendCommand, readCommand, readAllCommand, streamsCommand, statsCommand, snapshotsCommand, projectionsCommand, workflowsCommand, queryCommand, pruneCommand, reclaimCommand, archiveCommand, copyCommand, backupCommand, restoreCommand, recoverCommand, subjectsCommand, keysCommand, contractsCommand];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((command) => command.name === name);
}
