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

/** A post as the `posts` read model shows it. */
export interface PostJson {
  postId: string;
  title: string;
  authorId: string;
  status: 'draft' | 'in_review' | 'scheduled' | 'published';
  createdAt: string;
  publishedAt: string | null;
  version: number;
}
