// The sizes of WORKLOADS.md, times --scale (a smoke run uses 0.01). What makes a
// workload what it is (100 events per W3 append, 8 writers) does not scale.

/** Events per page wherever a reader pages: ours, Emmett's batch reader and the floors alike. */
export const PAGE_SIZE = 1000;

export interface Sizes {
  w1Appends: number;
  w2Appends: number;
  w3Streams: number;
  w3EventsPerAppend: number;
  /** The stream W4 reads and W5 folds. */
  streamEvents: number;
  /** The store W6 reads, seeded as streams of w3EventsPerAppend events. */
  storeEvents: number;
  w7Writers: number;
  w7Appends: number;
  w7Processes: number;
  w7ProcessAppends: number;
  /** W8: the appends each writer makes, by how many writers run (1, 4, 16, 32), so each variant takes about as long; and its 4 processes × 8 writers. */
  w8Appends: Readonly<Record<number, number>>;
  w8Processes: number;
  w8ProcessWriters: number;
  /** S1: the three stream lengths (10, 1,000, 100,000); the shortest never below 10. */
  s1Small: number;
  s1Medium: number;
  s1Large: number;
  /** P1: posts × events per post (10,000 × 100). */
  p1Posts: number;
  p1EventsPerPost: number;
  /** P2: appends per second (does not scale) and for how long. */
  p2Rate: number;
  p2Seconds: number;
  /** L1, L2: autocannon's connections (does not scale), how long it runs, and its untimed warm-up. */
  httpConnections: number;
  httpSeconds: number;
  httpWarmupRequests: number;
  /** L2: the posts stored before the list is read. */
  l2Posts: number;
  /** WF1: review workflow instances, how many are under way at once (does not scale), and how far ahead of its approval a post is to be published (does not scale). */
  wf1Instances: number;
  /** E1: the authors among whom one is forgotten. */
  e1Subjects: number;
  /** R1: streams × events per stream (10,000 × 200: 2,000,000 events, half of them pruned). */
  r1Streams: number;
  r1EventsPerStream: number;
  /** C1: streams × events per stream copied from SQLite (10,000 × 100: 1,000,000 events). */
  c1Streams: number;
  c1EventsPerStream: number;
  wf1InFlight: number;
  wf1PublishAfterMs: number;
}

export function sizesFor(scale: number): Sizes {
  const n = (full: number) => Math.max(1, Math.round(full * scale));
  return {
    w1Appends: n(10_000),
    w2Appends: n(5_000),
    w3Streams: n(1_000),
    w3EventsPerAppend: 100,
    streamEvents: n(10_000),
    storeEvents: n(1_000) * 100,
    w7Writers: 8,
    w7Appends: n(500),
    w7Processes: 4,
    w7ProcessAppends: n(500),
    w8Appends: { 1: n(30_000), 4: n(10_000), 16: n(2_500), 32: n(1_250) },
    w8Processes: 4,
    w8ProcessWriters: 8,
    s1Small: 10,
    s1Medium: Math.max(10, n(1_000)),
    s1Large: Math.max(10, n(100_000)),
    p1Posts: n(10_000),
    p1EventsPerPost: 100,
    p2Rate: 1_000,
    p2Seconds: Math.max(1, 30 * scale),
    httpConnections: 10,
    // autocannon counts whole seconds.
    httpSeconds: Math.max(1, Math.round(20 * scale)),
    httpWarmupRequests: Math.max(50, n(1_000)),
    l2Posts: n(10_000),
    wf1Instances: n(10_000),
    e1Subjects: n(100_000),
    r1Streams: Math.max(2, n(10_000)),
    r1EventsPerStream: 200,
    c1Streams: Math.max(2, n(10_000)),
    c1EventsPerStream: 100,
    wf1InFlight: 500,
    wf1PublishAfterMs: 1_000,
  };
}
