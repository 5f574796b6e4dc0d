// The part of autocannon's API the HTTP workloads use (the package ships no types).

declare module 'autocannon' {
  export interface Options {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    /** Seconds; `amount` (requests) instead ends the run after that many. */
    duration?: number;
    amount?: number;
    /** Seconds a request may take before it counts as a timeout (and an error). */
    timeout?: number;
  }

  export interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }

  export interface Result {
    /** Seconds, as measured. */
    duration: number;
    /** Requests that got no answer, timeouts included. */
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds. */
    latency: Histogram;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
