// The Lab server's HTTP API as the page uses it: the shapes it returns and one
// request function that turns every failure into an ApiError with a readable message.

import type {
  AuthorJson,
  ErasureReceiptJson,
  EventJson,
  PostJson,
  PrunePlanJson,
  PruneReportJson,
  RetentionPoliciesJson,
  RetentionRunsJson,
  SubjectExportJson,
  WorkflowDetailJson,
  WorkflowSummaryJson,
} from '../../api-types.js';

export type RecordedEvent = EventJson;
export type WorkflowSummary = WorkflowSummaryJson;
export type WorkflowDetail = WorkflowDetailJson;
export type PostView = PostJson;
export type PostStatus = PostJson['status'];
export type Author = AuthorJson;
export type SubjectExport = SubjectExportJson;
export type { PrunePlanJson as PrunePlan, PruneReportJson as PruneReport, RetentionPoliciesJson as RetentionPolicies, RetentionRecordJson as RetentionRecord } from '../../api-types.js';

export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface CommandResult {
  postId: string;
  version: number;
  position: number;
  events: RecordedEvent[];
}

/** The review's commands also answer with the post as the read side shows it after. */
export interface ReviewResult extends CommandResult {
  post: PostView | null;
}

export interface WorkflowList {
  items: WorkflowSummary[];
  nextCursor: string | null;
  counts: Record<string, number>;
}

export interface SnapshotInfo {
  streamVersion: number;
  snapshot: { version: number; schemaVersion: number; takenAt: string } | null;
}

export interface HistoryEntry {
  version: number;
  state: unknown;
}

export interface StreamEvents {
  streamId: string;
  version: number;
  events: RecordedEvent[];
}

export interface Rebuild {
  processed: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
}

export interface ProjectionStatus {
  name: string;
  version: number;
  position: number;
  lag: number;
  state: string;
  error: string | null;
  rebuild: Rebuild | null;
}

export interface ProjectionsStatus {
  headPosition: number;
  projections: ProjectionStatus[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'eventline-lab-token';

/** Kept for the tab's life only: a token should not outlive the session on a shared machine. */
export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** Called with every 401, so the page can offer the token field. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(listener: () => void): void {
  onUnauthorized = listener;
}

type Query = Record<string, string | number | null | undefined>;

function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = getToken();
  if (method !== 'GET' && token !== '') headers.authorization = `Bearer ${token}`;

  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'unreachable', 'The Lab server is not answering');
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const error = (json ?? {}) as { error?: string; message?: string; details?: unknown };
    throw new ApiError(response.status, error.error ?? `http_${response.status}`, error.message ?? `${response.status} ${response.statusText}`, error.details);
  }
  return json as T;
}

const post = (postId: string) => `/api/posts/${encodeURIComponent(postId)}`;
const author = (authorId: string) => `/api/authors/${encodeURIComponent(authorId)}`;

export const api = {
  health: () => request<Record<string, unknown>>('GET', '/api/health'),

  createPost: (body: { title: string; body: string; authorId: string; postId?: string; expectedVersion?: number }) =>
    request<CommandResult>('POST', '/api/posts', body),
  editPost: (postId: string, body: { title?: string; body?: string; expectedVersion?: number }) =>
    request<CommandResult>('PUT', post(postId), body),
  publishPost: (postId: string, body: { expectedVersion?: number }) => request<CommandResult>('POST', `${post(postId)}/publish`, body),
  unpublishPost: (postId: string, body: { expectedVersion?: number }) => request<CommandResult>('POST', `${post(postId)}/unpublish`, body),
  submitPost: (postId: string, body: { expectedVersion?: number }) => request<ReviewResult>('POST', `${post(postId)}/submit`, body),
  reviewPost: (postId: string, body: { decision: 'approve' | 'reject'; reason?: string; publishAt?: string; expectedVersion?: number }) =>
    request<ReviewResult>('POST', `${post(postId)}/review`, body),

  authors: () => request<Page<Author>>('GET', withQuery('/api/authors', { limit: 1000 })),
  registerAuthor: (body: { name: string; email: string }) =>
    request<{ authorId: string; version: number; position: number; events: RecordedEvent[] }>('POST', '/api/authors', body),
  exportAuthor: (authorId: string) => request<SubjectExport>('GET', `${author(authorId)}/export`),
  forgetAuthor: (authorId: string) => request<{ authorId: string; receipt: ErasureReceiptJson }>('POST', `${author(authorId)}/forget`, {}),

  posts: (query: { status?: string; authorId?: string; limit?: number; cursor?: string | null }) =>
    request<Page<PostView>>('GET', withQuery('/api/posts', query)),
  post: (postId: string) => request<PostView>('GET', post(postId)),
  snapshot: (postId: string) => request<SnapshotInfo>('GET', `${post(postId)}/snapshot`),
  history: (postId: string, version: number) => request<HistoryEntry>('GET', withQuery(`${post(postId)}/history`, { version })),

  stream: (streamId: string, query: { fromVersion?: number; limit?: number } = {}) =>
    request<StreamEvents>('GET', withQuery(`/api/streams/${encodeURIComponent(streamId)}`, query)),
  events: (query: { after?: number; type?: string; limit?: number }) =>
    request<{ events: RecordedEvent[]; lastPosition: number }>('GET', withQuery('/api/events', query)),

  projections: () => request<ProjectionsStatus>('GET', '/api/projections'),
  rebuild: (name: string) => request<unknown>('POST', `/api/projections/${encodeURIComponent(name)}/rebuild`, {}),

  workflows: (query: { status?: string; limit?: number } = {}) => request<WorkflowList>('GET', withQuery('/api/workflows', query)),
  workflow: (streamId: string) => request<WorkflowDetail>('GET', `/api/workflows/${encodeURIComponent(streamId)}`),
  retryWorkflow: (streamId: string) => request<{ streamId: string; status: string }>('POST', `/api/workflows/${encodeURIComponent(streamId)}/retry`, {}),

  retentionPolicies: () => request<RetentionPoliciesJson>('GET', '/api/retention/policies'),
  dryRun: () => request<PrunePlanJson>('POST', '/api/retention/dry-run', {}),
  prune: (body: { force?: boolean }) => request<PruneReportJson>('POST', '/api/retention/prune', body),
  retentionRuns: (query: { limit?: number; before?: string | null } = {}) => request<RetentionRunsJson>('GET', withQuery('/api/retention/runs', query)),
};

export const LIVE_EVENTS_URL = '/api/events/live';
