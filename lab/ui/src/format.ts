// How times and values read on the page.

/** "14:03:07" for today, "12 Mar 14:03" otherwise; "—" for nothing. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    : date.toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false });
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** "812 B", "4.2 kB", "1.3 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, 'kB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB'];
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

/** "42 s", "3 min 5 s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** Posts live in streams named `post-<id>`; other streams have no post. */
export function postIdOfStream(streamId: string): string | undefined {
  return streamId.startsWith('post-') ? streamId.slice('post-'.length) : undefined;
}

export function streamOfPost(postId: string): string {
  return `post-${postId}`;
}

/** A post's or an instance's status as a person reads it: "in review", not "in_review". */
export function statusText(status: string): string {
  return status.replace(/_/g, ' ');
}

/** "in 3 s", "2 min ago": how far a time is from now. */
export function formatRelative(value: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(value) - now) / 1000);
  if (Number.isNaN(seconds)) return value;
  const text = formatSeconds(Math.abs(seconds));
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** A post's author as the page shows them: the name, "erased" once forgotten, or the id of an author never registered. */
export function authorText(author: { authorId: string } & ({ name: string } | { erased: true } | { unknown: true })): string {
  if ('erased' in author) return 'erased';
  return 'name' in author ? author.name : author.authorId;
}
