// Aligned columns for output that streams: each column is as wide as the widest
// cell seen so far, so no listing has to be held in memory to line up.

export interface Column {
  title: string;
  align: 'left' | 'right';
}

export interface Table {
  /** Widens the columns to fit these rows, before any is printed. */
  fit(rows: readonly (readonly string[])[]): void;
  header(): string;
  row(cells: readonly string[]): string;
}

export function createTable(columns: readonly Column[]): Table {
  const widths = columns.map((column) => column.title.length);
  const last = columns.length - 1;

  function widen(cells: readonly string[]): void {
    cells.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }

  function render(cells: readonly string[]): string {
    widen(cells);
    return cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (columns[i]?.align === 'right') return cell.padStart(width);
        return i === last ? cell : cell.padEnd(width); // no trailing spaces
      })
      .join('  ');
  }

  return {
    fit: (rows) => rows.forEach(widen),
    header: () => render(columns.map((column) => column.title)),
    row: render,
  };
}

export interface TablePrinter {
  row(cells: readonly string[]): Promise<void>;
  /** Prints what is held; returns the number of rows printed in all. */
  end(): Promise<number>;
}

/**
 * Prints a table as it streams in: rows are held a chunk at a time and each chunk is
 * lined up as a whole, so a long listing stays aligned in bounded memory.
 */
export function createTablePrinter(
  columns: readonly Column[],
  line: (text: string) => Promise<void>,
  chunk = 500,
): TablePrinter {
  const table = createTable(columns);
  let held: string[][] = [];
  let printed = 0;

  async function release(): Promise<void> {
    if (held.length === 0) return;
    table.fit(held);
    if (printed === 0) await line(table.header());
    for (const cells of held) await line(table.row(cells));
    printed += held.length;
    held = [];
  }

  return {
    async row(cells) {
      held.push([...cells]);
      if (held.length >= chunk) await release();
    },
    async end() {
      await release();
      return printed;
    },
  };
}
