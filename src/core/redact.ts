// Store URLs carry credentials (postgres://user:secret@host/db). Anything that quotes
// a URL in a message or a log masks the password first.

export function redactPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, '$1:***@');
}
