// Every example tells its story a line at a time: printed as it goes, and kept, so that
// the example's test can read what it said.

export function storyteller(print: (line: string) => void): { lines: string[]; say: (line?: string) => void } {
  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    print(line);
  };
  return { lines, say };
}
