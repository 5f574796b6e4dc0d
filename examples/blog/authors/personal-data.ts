// Which fields of the author events are personal, whose they are and of what kind. The
// subject is the author's surrogate id, never the email: the id stays in the clear.

import { definePersonalData } from '../../../src/index.js';
import type { AuthorProfileChanged, AuthorRegistered } from './events.js';

const subject = (event: { data: { authorId: string } }) => event.data.authorId;

/** The blog's personal data: `openPrivacy({ keyStorage, kek, personalData: authorPersonalData })`. */
export const authorPersonalData = definePersonalData<{ AuthorRegistered: AuthorRegistered['data']; AuthorProfileChanged: AuthorProfileChanged['data'] }>({
  AuthorRegistered: [
    { path: 'name', subject, category: 'profile' },
    { path: 'email', subject, category: 'contact' },
  ],
  AuthorProfileChanged: [
    { path: 'name', subject, category: 'profile' },
    { path: 'email', subject, category: 'contact' },
  ],
});
