// The shapes the Lab's API puts on the wire, shared by the server that writes them
// and the page that reads them. Times are ISO strings.

/** A recorded event. */
export interface EventJson {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  eventId: string;
  recordedAt: string;
}

/** draft → published directly, or draft → in_review → scheduled → published through a review. */
export type PostStatusJson = 'draft' | 'in_review' | 'scheduled' | 'published';

/** Who wrote a post, from the `authors` read model: their name, the erased placeholder once forgotten, or unknown (an id no author registered under). */
export type PostAuthorJson = { authorId: string; name: string } | { authorId: string; erased: true } | { authorId: string; unknown: true };

/** A post as the `posts` read model shows it, with its author's name from the `authors` one. */
export interface PostJson {
  postId: string;
  title: string;
  authorId: string;
  author: PostAuthorJson;
  status: PostStatusJson;
  createdAt: string;
  publishedAt: string | null;
  version: number;
}

// The workflow shapes are src/workflows' WorkflowSummary and WorkflowDetail as JSON,
// written out here because the page is compiled apart from src/.

/** A workflow instance as the list shows it. */
export interface WorkflowSummaryJson {
  streamId: string;
  workflow: string;
  instanceId: string;
  version: number | null;
  status: string;
  error: string | null;
  startedAt: string;
  updatedAt: string;
}

/** One event of an instance's stream. */
export interface WorkflowStepJson {
  position: number;
  version: number;
  type: string;
  data: unknown;
  recordedAt: string;
}

export interface WorkflowTimerJson {
  timerId: string;
  name: string;
  dueAt: string;
  payload: unknown;
  state: 'scheduled' | 'fired' | 'cancelled';
  firedAt: string | null;
  latenessMs: number | null;
}

export interface WorkflowCommandJson {
  commandId: string;
  command: { type: string; [field: string]: unknown };
  compensation: { type: string; [field: string]: unknown } | null;
  compensates: string | null;
  outcome: 'pending' | 'succeeded' | 'rejected';
  reason: string | null;
}

/** One instance's whole story, as its stream tells it. */
export interface WorkflowDetailJson {
  streamId: string;
  workflow: string;
  instanceId: string;
  status: string;
  version: number | null;
  definitionHash: string | null;
  state: unknown;
  /** Why it is parked. */
  error: string | null;
  /** Why it failed or compensated. */
  reason: string | null;
  inputs: (WorkflowStepJson & { status: 'decided' | 'waiting' | 'ignored' })[];
  outputs: WorkflowStepJson[];
  timers: WorkflowTimerJson[];
  commands: WorkflowCommandJson[];
  events: WorkflowStepJson[];
}

/** An author as the `authors` read model shows them; once forgotten, nothing but the id. */
export type AuthorJson = { authorId: string; name: string; email: string } | { authorId: string; erased: true };

// The privacy shapes are src/privacy's ExportedField, SubjectExport and ErasureReceipt as
// JSON, written out here for the same reason.

/** One personal field of a subject-access export. */
export interface ExportedFieldJson {
  position: number;
  eventId: string;
  streamId: string;
  type: string;
  path: string;
  category: string;
  value?: unknown;
  erased?: true;
}

/** Everything the store holds about an author: `GET /api/authors/:id/export`. */
export interface SubjectExportJson {
  subjectHash: string;
  forgotten: 'all' | string[];
  fields: ExportedFieldJson[];
}

/** The proof of a forget (src/privacy's ErasureReceipt): it names the author by a keyed hash only. */
export interface ErasureReceiptJson {
  subjectHash: string;
  categories: string[] | null;
  keyIds: string[];
  at: number;
  mac: string;
}

// The retention shapes are src/retention's policies, PrunePlan, PruneReport and the
// `$retention` stream's events as JSON, written out here for the same reason.

/** A retention policy as `GET /api/retention/policies` shows it: its rules, and whether it judges streams by their state. */
export interface RetentionPolicyJson {
  name: string;
  category: string;
  /** Milliseconds; null when the policy has no such rule. */
  maxAge: number | null;
  maxCount: number | null;
  truncateBefore: number | null;
  /** Whether only streams whose folded state passes a `when` predicate are considered. */
  when: boolean;
  /** The version of the state a StreamCompacted event keeps; null without a fold (such a policy only removes closed streams whole). */
  fold: { stateSchemaVersion: number } | null;
}

export interface RetentionPoliciesJson {
  policies: RetentionPolicyJson[];
  /** Where a prune writes its archives. */
  archiveDir: string;
}

/** A registered consumer and the position of the last event it processed. */
export interface ConsumerJson {
  kind: 'projection' | 'workflow' | 'outbox relay';
  name: string;
  position: number;
}

/** One stream a prune would cut: `remove` goes whole (a closed stream), `compact` keeps its state in a StreamCompacted event. */
export interface PlannedStreamJson {
  policy: string;
  streamId: string;
  action: 'compact' | 'remove';
  fromVersion: number;
  upToVersion: number;
  version: number;
  events: number;
  bytes: number;
  lastPosition: number;
}

/** What a prune would remove, and whom it would leave behind: `POST /api/retention/dry-run`. */
export interface PrunePlanJson {
  /** The time the policies were judged at. */
  now: string;
  events: number;
  bytes: number;
  lastPosition: number;
  policies: { policy: string; streams: number; events: number; bytes: number }[];
  /** The first 1000 streams, in policy then stream order; `omittedStreams` counts the rest. */
  streams: PlannedStreamJson[];
  omittedStreams: number;
  consumers: ConsumerJson[];
  /** The consumers that have not processed every event the prune removes: a run refuses them unless forced. */
  stranded: ConsumerJson[];
  notRebuildableFromZero: string[];
}

/** A prune run: `POST /api/retention/prune`. `run` is null when there was nothing to prune. */
export interface PruneReportJson {
  run: string | null;
  removed: number;
  /** Streams that changed while the run went on, and were left out of it. */
  changed: string[];
  archive: { file: string; manifest: string; sha256: string } | null;
  bytesBefore: number;
  bytesAfter: number;
  /** Consumers pruned past with `force`. */
  forced: string[];
  /** Half-done runs this one settled first. */
  resumed: { finished: string[]; discarded: string[]; skipped: string[] };
  plan: PrunePlanJson;
}

/** One event of the `$retention` stream: a prune run, or an archive put back. */
export type RetentionRecordJson =
  | {
      type: 'RetentionRun';
      position: number;
      recordedAt: string;
      run: string;
      policy: string[];
      streams: number;
      events: number;
      archive: string;
      sha256: string;
      /** The store's bytes before the run and after it: measured once its space was given back (`measured`), else the run's estimate. */
      bytesBefore: number;
      bytesAfter: number;
      measured: boolean;
      forced: string[];
      resumed: boolean;
    }
  | { type: 'RetentionRestored'; position: number; recordedAt: string; run: string; archive: string; sha256: string; events: number };

/** `GET /api/retention/runs`: newest first; pass `nextCursor` back as `before` for the next page. */
export interface RetentionRunsJson {
  items: RetentionRecordJson[];
  nextCursor: string | null;
}
