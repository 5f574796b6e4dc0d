// Stream ids sort by Unicode code point everywhere: SQLite compares UTF-8 bytes and
// PostgreSQL uses the "C" collation, which agree with this; JavaScript's `<` compares
// UTF-16 units, which does not (for characters above U+FFFF).

export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
