// The one shape every benchmarked store takes: Eventline's stores, Emmett's, and the
// raw-driver floors. Workloads speak only to this, so each store runs the same code.

import type { BlogEvent } from './blog-events.js';
import type { BenchEvent, PostState } from './events.js';

/** An event as a store gives it back: its own object, with at least these two fields. */
export interface StoredPost {
  type: string;
  data: unknown;
}

/** An event with its version, for checking a stream after W7. */
export interface VersionedEvent extends StoredPost {
  version: number;
}

/** A conflict is an answer, not an error: W7's writers expect them. */
export type AppendOutcome =
  | { ok: true; nextVersion: number }
  /** `actual` when the store says where the stream is; otherwise the writer asks. */
  | { ok: false; actual?: number };

export interface BenchStore {
  /** `expected` 0 means the stream must not exist yet. */
  append(streamId: string, events: readonly (BenchEvent | BlogEvent)[], expected: number): Promise<AppendOutcome>;
  /** The whole stream, as the store's own read gives it (W4 measures this). */
  readStream(streamId: string): Promise<readonly StoredPost[]>;
  /** The whole stream with versions (untimed: W7 checks it). */
  versionedStream(streamId: string): Promise<readonly VersionedEvent[]>;
  /** The stream's current version, for a writer whose append was refused at `known`. */
  currentVersion(streamId: string, known: number): Promise<number>;
  /** A store with its own aggregate API uses it; otherwise W5 reads and folds. */
  aggregate?(streamId: string): Promise<PostState>;
  /** Visits every event in position order; absent when the store has no such API. */
  readAll?(visit: (event: unknown) => void): Promise<void>;
  /** Why readAll is absent, shown in place of a figure. */
  readonly noReadAll?: string;
  /**
   * S1: folds a post's stream with the blog's Post decider (Emmett: aggregateStream with
   * its evolve), from the stream's snapshot when `snapshots`; resolves to the version reached.
   */
  loadPost?(streamId: string, snapshots: boolean): Promise<number>;
  /** S1 set-up: takes the post's snapshot if "every 100 events" says one is due; absent without snapshots. */
  snapshotPost?(streamId: string): Promise<void>;
  /** P1: builds the `posts` read model from every event in the store; resolves to the events applied. */
  rebuildPosts?(): Promise<number>;
  /** Why rebuildPosts is absent, shown in place of a figure. */
  readonly noRebuildPosts?: string;
  /** P2: the `posts` projection running async beside appends. */
  livePosts?(): Promise<LivePosts>;
  readonly noLivePosts?: string;
  /** WF1: the blog's review workflow on this store; absent when the store has no workflow runtime. */
  reviewWorkflow?(): ReviewWorkflow;
  readonly noReviewWorkflow?: string;
  /** E1: the same store opened once more with personal fields sealed; absent for a store with no such thing. */
  personalData?(): Promise<PersonalDataStore>;
  /** R1: prunes the closed streams of `category` (the last event of each says `closed: true`), archiving them in `archiveDir`. */
  pruneClosed?(category: string, archiveDir: string): Promise<PruneOutcome>;
  /** R1, after the prune: the rewrite an operator may run (`eventline reclaim --full`); the store's bytes after it. */
  reclaimFully?(): Promise<number>;
  /** C1: copies every event of the Eventline SQLite store at `sourcePath` into this store, timed. */
  copyFromSqlite?(sourcePath: string): Promise<CopyOutcome>;
  close(): Promise<void>;
}

/** C1: how many events a copy wrote, how long it took, and how long its verification took (none for a floor). */
export interface CopyOutcome {
  copied: number;
  ms: number;
  verifyMs?: number;
}

/** R1: what a prune removed, wrote and gave back. */
export interface PruneOutcome {
  removed: number;
  archiveBytes: number;
  /** The store's bytes before the run, and after it gave the space back. */
  bytesBefore: number;
  bytesAfter: number;
  /** What giving the space back ran ('incremental', 'vacuum-analyze', ...). */
  space: string;
}

/**
 * E1: a store whose events of `PERSONAL_TYPE` have two personal fields, sealed under
 * a key per author; the BenchStore it came from reads and writes the same events plain.
 */
export interface PersonalDataStore {
  append(streamId: string, events: readonly BenchEvent[], expected: number): Promise<AppendOutcome>;
  readStream(streamId: string): Promise<readonly StoredPost[]>;
  /** Forgets an author; resolves to what it touched. */
  forget(authorId: string): Promise<{ keysDeleted: number; eventsAppended: number }>;
  close(): Promise<void>;
}

/**
 * WF1: the blog's review workflow against one store. Per post: created (set-up), submitted
 * for review (the instance starts and sends StartReview), approved once the review has
 * started with a publish time ahead, published by the instance's timer, then completed.
 */
export interface ReviewWorkflow {
  /** Starts the workflow runtime in this process. */
  start(options: ReviewRuntimeOptions): Promise<void>;
  createPost(postId: string): Promise<void>;
  submit(postId: string): Promise<void>;
  approve(postId: string, publishAt: Date): Promise<void>;
  /** Reads the log on from where the last call stopped: the posts whose review started, and whose instance completed. */
  progress(): Promise<{ reviewing: string[]; completed: string[] }>;
  /** Resolves once the runtime has taken every input up to the head of the log. */
  idle(): Promise<void>;
  /** Instances per status. */
  counts(): Promise<Record<string, number>>;
  /** What the stored streams say, read after the run. */
  outcome(): Promise<ReviewOutcome>;
  /** Stops the runtime (the store stays open). */
  stop(): Promise<void>;
}

export interface ReviewRuntimeOptions {
  /** How often the timer service looks for due timers, at most. */
  timerPollMs: number;
  /** The follower's fallback poll of the log when no change notice arrives. */
  pollIntervalMs: number;
}

/** One step: which kind of input it took, and the ms from that input to the step's append. */
export interface StepSample {
  kind: 'log' | 'command' | 'timer';
  ms: number;
}

export interface ReviewOutcome {
  steps: StepSample[];
  /** Each fired timer's own lateness (TimerFired.latenessMs). */
  timerLatenessMs: number[];
  /** Per post: PostWasPublished events in its stream, and `blog.posts.published` outbox messages its instance wrote. */
  published: Map<string, number>;
  outbox: Map<string, number>;
}

/** An async projection running in this process, and a way to see how far it got. */
export interface LivePosts {
  /** Appends and resolves to the position of the last event appended. */
  append(streamId: string, events: readonly unknown[], expected: number): Promise<number>;
  /** The position up to which the read model shows every event. */
  visiblePosition(): Promise<number>;
  stop(): Promise<void>;
}

/** Where one (workload, store, run) keeps its data; made fresh for each and removed after. */
export interface Scratch {
  /** A unique name, usable as a file name and a PostgreSQL schema. */
  name: string;
  /** The SQLite file of this run. */
  sqlitePath: string;
  /** The PostgreSQL URL without parameters; a store keeps its tables in the schema `name`. */
  postgresUrl: string;
  /** A database of its own, `name`, for a store that cannot be kept to one schema. */
  postgresDatabaseUrl: string;
}

/** A store module exports this: it opens (and on first open, creates) the store in the scratch. */
export type OpenStore = (scratch: Scratch) => Promise<BenchStore>;

export function conflict(actual?: number): AppendOutcome {
  return actual === undefined ? { ok: false } : { ok: false, actual };
}
