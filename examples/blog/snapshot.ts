// The post's state as snapshots see it. Its schema version says which shape of
// PostState a snapshot holds: bump it whenever PostState changes, and snapshots of
// the old shape are ignored. `decider` is what the eventline CLI loads with
// `eventline snapshots take post-<id> --decider examples/blog/index.ts`.

import { postDecider } from './decider.js';

// Still 1 since the review came: its fields are optional, so a snapshot taken before
// (a draft or a published post) has the shape PostState gives such a post today.
export const POST_SNAPSHOT_SCHEMA_VERSION = 1;

/** The blog's decider, with the schema version of the snapshots it reads and takes. */
export const decider = { ...postDecider, snapshotSchemaVersion: POST_SNAPSHOT_SCHEMA_VERSION };
