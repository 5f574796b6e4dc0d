// The policy the pruner process and its test share: posts keep their newest 2 events,
// the rest compacted into the count of events before them.

import { retentionPolicy } from '../../retention/policy.js';

export const PRUNED_POSTS = [
  retentionPolicy<number>({
    name: 'short posts',
    category: 'post',
    maxCount: 2,
    fold: { initialState: () => 0, evolve: (n) => n + 1, stateSchemaVersion: 1 },
  }),
];
