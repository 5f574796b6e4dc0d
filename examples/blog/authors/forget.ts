// Forgetting an author, in the order that leaves no copy behind: AuthorForgotten first (the
// read models drop their copies of the name and email), then the author's keys destroyed
// and the receipt appended (privacy.forgetSubject). A crash in between leaves the events
// readable and the read models blank: calling forgetAuthor again finishes the job, since
// both steps are idempotent.

import type { ErasureReceipt, EventStore, Privacy } from '../../../src/index.js';
import { handleAuthorCommand } from './decider.js';

/**
 * @example
 * const receipt = await forgetAuthor(store, privacy, authorId);
 */
export async function forgetAuthor(store: EventStore, privacy: Privacy, authorId: string): Promise<{ receipt: ErasureReceipt; lastPosition: number }> {
  const { lastPosition } = await handleAuthorCommand(store, { type: 'ForgetAuthor', authorId });
  const receipt = await privacy.forgetSubject(store, authorId);
  return { receipt, lastPosition };
}
