// Retention's shapes on the wire: a policy (its rules, not its functions), a plan (its
// streams capped, so a dry run over a big store stays an answer a page can show) and a
// record of the `$retention` stream. A StreamCompacted's state stays out: it is the
// stream's content, and the plan only says that one would be kept.

import {
  RETENTION_RUN,
  type Consumer,
  type PrunePlan,
  type RetentionPolicy,
  type RetentionRecord,
  type RetentionRestoredData,
  type RetentionRunData,
} from '../../src/index.js';
import type { ConsumerJson, PrunePlanJson, RetentionPolicyJson, RetentionRecordJson } from '../api-types.js';

/** At most this many streams of a plan are listed. */
export const PLAN_STREAMS_SHOWN = 1000;

export function policyJson(policy: RetentionPolicy): RetentionPolicyJson {
  return {
    name: policy.name,
    category: policy.category,
    maxAge: policy.maxAge ?? null,
    maxCount: policy.maxCount ?? null,
    truncateBefore: policy.truncateBefore ?? null,
    when: policy.when !== undefined,
    fold: policy.fold === undefined ? null : { stateSchemaVersion: policy.fold.stateSchemaVersion },
  };
}

const consumerJson = ({ kind, name, position }: Consumer): ConsumerJson => ({ kind, name, position });

export function planJson(plan: PrunePlan): PrunePlanJson {
  return {
    now: plan.now.toISOString(),
    events: plan.events,
    bytes: plan.bytes,
    lastPosition: plan.lastPosition,
    policies: plan.policies.map(({ policy, streams, events, bytes }) => ({ policy, streams, events, bytes })),
    streams: plan.streams.slice(0, PLAN_STREAMS_SHOWN).map(({ policy, streamId, action, fromVersion, upToVersion, version, events, bytes, lastPosition }) => ({
      policy,
      streamId,
      action,
      fromVersion,
      upToVersion,
      version,
      events,
      bytes,
      lastPosition,
    })),
    omittedStreams: Math.max(plan.streams.length - PLAN_STREAMS_SHOWN, 0),
    consumers: plan.consumers.map(consumerJson),
    stranded: plan.stranded.map(consumerJson),
    notRebuildableFromZero: [...plan.notRebuildableFromZero],
  };
}

/**
 * A RetentionRun or RetentionRestored event; its ranges stay in the event and the
 * archive's manifest. A run's bytes are those measured after it (`space`) when there
 * are some, else the run's own estimate.
 */
export function recordJson({ event, space }: RetentionRecord): RetentionRecordJson {
  const at = { position: event.position, recordedAt: event.recordedAt.toISOString() };
  if (event.type === RETENTION_RUN) {
    const { run, policy, streams, events, archive, sha256, bytesBefore, bytesAfter, forced, resumed } = event.data as RetentionRunData;
    const bytes = space === undefined ? { bytesBefore, bytesAfter, measured: false } : { bytesBefore: space.bytesBefore, bytesAfter: space.bytesAfter, measured: true };
    return { type: 'RetentionRun', ...at, run, policy, streams, events, archive, sha256, ...bytes, forced, resumed };
  }
  const { run, archive, sha256, events } = event.data as RetentionRestoredData;
  return { type: 'RetentionRestored', ...at, run, archive, sha256, events };
}
