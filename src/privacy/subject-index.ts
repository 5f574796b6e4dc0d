// The subject index: which positions of the log hold personal data of which subject, kept
// in the key storage so a subject access request reads those events only. It follows the
// log: the setting `subject-index-position` is the last position indexed, and catching up
// reads the events after it of the declared types. Each page is noted before the setting
// moves past it, so a crash in between notes a page twice, which is harmless.

import { ValidationError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import type { EventStore } from '../store/event-store.js';
import type { KeyStorage } from '../store/key-storage.js';
import type { PersonalDataRegistry, PersonalEvent, PersonalField } from './declarations.js';
import { valueAt } from './personal-data-guard.js';

export const SUBJECT_INDEX_SETTING = 'subject-index-position';
const PAGE = 500;
/** The largest page a read takes (reads.ts). */
const MAX_PAGE = 10_000;

/** Indexes the events appended since the last catch-up; answers the position now indexed. */
export async function catchUpSubjectIndex(
  store: EventStore,
  keyStorage: KeyStorage,
  registry: PersonalDataRegistry,
  hashOf: (subjectId: string) => string,
): Promise<number> {
  let after = Number((await keyStorage.getSetting(SUBJECT_INDEX_SETTING)) ?? 0);
  if (registry.types.length === 0) return after;
  for (;;) {
    const page = await store.readAllPage({ after, types: registry.types, batchSize: PAGE });
    if (page.length === 0) return after;
    const entries = page.flatMap((event) => subjectsOf(event, registry).map((subjectId) => ({ subjectHash: hashOf(subjectId), position: event.position })));
    if (entries.length > 0) await keyStorage.indexSubjects(entries);
    after = page[page.length - 1]!.position;
    await keyStorage.setSetting(SUBJECT_INDEX_SETTING, String(after));
    if (page.length < PAGE) return after;
  }
}

/** The subject ids of the personal fields present in an event, once each. */
function subjectsOf(event: RecordedEvent, registry: PersonalDataRegistry): string[] {
  const subjects = new Set<string>();
  for (const field of registry.fieldsOf(event.type)) {
    // As the guard seals: a field that is absent has no subject to name.
    if (valueAt(event.data, field.segments) === undefined) continue;
    const subjectId = subjectOrUndefined(field, event);
    if (subjectId !== undefined) subjects.add(subjectId);
  }
  return [...subjects];
}

/**
 * The field's subject id, or undefined when the event names none a request could ask for
 * (an event written before its type was declared personal, whose field was never sealed):
 * `exportSubject` refuses such an id too, so there is nothing to index it under.
 */
export function subjectOrUndefined(field: PersonalField, event: PersonalEvent<unknown>): string | undefined {
  try {
    return field.subjectOf(event);
  } catch (error) {
    if (error instanceof ValidationError) return undefined;
    throw error;
  }
}

/**
 * The events at `positions` (sorted, of the declared `types`), read a run of consecutive
 * positions per page: never a scan of the log.
 */
export async function readPositions(store: EventStore, types: readonly string[], positions: readonly number[]): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (const run of runs(positions)) {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const page = await store.readAllPage({ after: first - 1, before: last + 1, types, batchSize: run.length });
    const wanted = new Set(run);
    events.push(...page.filter((event) => wanted.has(event.position)));
  }
  return events;
}

/** Consecutive positions grouped, each group at most a page. */
function runs(positions: readonly number[]): number[][] {
  const groups: number[][] = [];
  for (const position of positions) {
    const group = groups.at(-1);
    if (group !== undefined && group.at(-1) === position - 1 && group.length < MAX_PAGE) group.push(position);
    else groups.push([position]);
  }
  return groups;
}
