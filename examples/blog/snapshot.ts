// The post's state as snapshots see it. Its schema version says which shape of
// PostState a snapshot holds (POST_STATE_VERSION): when PostState changes, snapshots of
// the old shape are ignored. `decider` is what the eventline CLI loads with
// `eventline snapshots take post-<id> --decider examples/blog/index.ts`.

import { postDecider } from './decider.js';
import { POST_STATE_VERSION } from './state.js';

export const POST_SNAPSHOT_SCHEMA_VERSION = POST_STATE_VERSION;

/** The blog's decider, with the schema version of the snapshots it reads and takes. */
export const decider = { ...postDecider, snapshotSchemaVersion: POST_SNAPSHOT_SCHEMA_VERSION };
