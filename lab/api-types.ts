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
