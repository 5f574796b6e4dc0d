// Retention policies: what may be pruned of the streams of one category (the part of a
// stream id before the first `-`). Declared in code, checked once, before anything is
// read or written.

import { RetentionPolicyError } from '../core/errors.js';

/** The fold of a category's streams (a decider's initialState and evolve will do), with the version of its state's shape. */
export interface RetentionFold<State> {
  initialState(): State;
  evolve(state: State, event: { type: string; data: unknown }): State;
  /** Stored in each StreamCompacted event: a fold expecting another shape refuses it. */
  stateSchemaVersion: number;
}

/** What a `when` predicate knows of a stream besides its state. */
export interface StreamFacts {
  streamId: string;
  version: number;
  /** When its newest event was recorded. */
  lastRecordedAt: Date;
  /** The time the prune runs at. */
  now: Date;
}

/**
 * A category may have several policies: a stream follows the first, in the order given,
 * whose `when` holds for it (a policy without `when` holds for every stream).
 */
export interface RetentionPolicy<State = unknown> {
  /** Names the policy in plans, errors and the RetentionRun event. */
  name: string;
  /** The streams whose id starts with `${category}-`. */
  category: string;
  /** Prune events recorded more than this many milliseconds before the run. */
  maxAge?: number;
  /** Keep the newest `maxCount` events of each stream (a StreamCompacted event comes on top). */
  maxCount?: number;
  /** Prune the versions before this one. */
  truncateBefore?: number;
  /**
   * Only streams whose folded state passes: such a stream is closed, and one whose every
   * event is in range is removed whole. Alone (no maxAge, maxCount or truncateBefore),
   * every event of a passing stream is in range. Needs `fold`.
   */
  when?: (state: State, facts: StreamFacts) => boolean;
  /**
   * The category's fold. A prune that keeps some of a stream's events appends a
   * StreamCompacted event carrying the state it folds to, before removing the prefix; a
   * policy without a fold can only remove closed streams whole.
   */
  fold?: RetentionFold<State>;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Declares a policy, its `when` and `fold` typed by the state they share; the result
 * goes in a list with policies of other states (pruneStore, planPrune).
 *
 * @example
 * const drafts = retentionPolicy({
 *   name: 'abandoned drafts',
 *   category: 'post',
 *   when: (post, { lastRecordedAt, now }) => post.status === 'draft' && now.getTime() - lastRecordedAt.getTime() > days(365),
 *   fold: { ...postDecider, stateSchemaVersion: 1 },
 * });
 */
export function retentionPolicy<State>(policy: RetentionPolicy<State>): RetentionPolicy {
  return policy as unknown as RetentionPolicy;
}

/**
 * Checks a set of policies: each well formed, names unique, and no policy of a category
 * after one without `when` (which takes every stream, so the later one would never apply).
 * Throws RetentionPolicyError for the first that is not.
 */
export function checkPolicies(policies: readonly RetentionPolicy[]): void {
  if (!Array.isArray(policies) || policies.length === 0) throw new RetentionPolicyError('(none)', 'policies', 'give at least one policy');
  const names = new Set<string>();
  const takesAll = new Map<string, string>();
  for (const policy of policies) {
    checkPolicy(policy);
    if (names.has(policy.name)) throw new RetentionPolicyError(policy.name, 'name', 'another policy has the same name');
    const before = takesAll.get(policy.category);
    if (before !== undefined) throw new RetentionPolicyError(policy.name, 'category', `policy '${before}' comes first and takes every stream of '${policy.category}'`);
    names.add(policy.name);
    if (policy.when === undefined) takesAll.set(policy.category, policy.name);
  }
}

function checkPolicy(policy: RetentionPolicy): void {
  if (typeof policy !== 'object' || policy === null) throw new RetentionPolicyError('(unnamed)', 'policy', 'must be an object');
  const name = typeof policy.name === 'string' && policy.name.trim() !== '' ? policy.name : undefined;
  if (name === undefined) throw new RetentionPolicyError('(unnamed)', 'name', 'must be a non-empty string');
  const fail = (field: string, reason: string) => new RetentionPolicyError(name, field, reason);
  const { category, maxAge, maxCount, truncateBefore, when, fold } = policy;
  if (typeof category !== 'string' || category === '' || category.includes('-')) throw fail('category', 'must be a non-empty string without `-`');
  if (category.startsWith('$')) throw fail('category', "streams whose id starts with '$' are Eventline's own and never pruned");
  if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && maxAge >= 1)) throw fail('maxAge', 'must be a whole number of milliseconds from 1 on');
  if (maxCount !== undefined && !(Number.isSafeInteger(maxCount) && maxCount >= 1)) throw fail('maxCount', 'must be a whole number from 1 on');
  if (truncateBefore !== undefined && !(Number.isSafeInteger(truncateBefore) && truncateBefore >= 2)) {
    throw fail('truncateBefore', 'must be a stream version from 2 on');
  }
  if (when !== undefined && typeof when !== 'function') throw fail('when', 'must be a function');
  if (maxAge === undefined && maxCount === undefined && truncateBefore === undefined && when === undefined) {
    throw fail('policy', 'give maxAge, maxCount, truncateBefore or when');
  }
  if (fold !== undefined) {
    if (typeof fold !== 'object' || fold === null || typeof fold.initialState !== 'function' || typeof fold.evolve !== 'function') {
      throw fail('fold', 'must have initialState and evolve functions');
    }
    if (!(Number.isSafeInteger(fold.stateSchemaVersion) && fold.stateSchemaVersion >= 1)) throw fail('fold.stateSchemaVersion', 'must be a whole number from 1 on');
  }
  if (when !== undefined && fold === undefined) throw fail('when', 'needs fold: it judges the folded state');
}

/** Milliseconds in `days` days, for maxAge. */
export function days(count: number): number {
  return count * DAY;
}
