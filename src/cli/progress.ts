// Progress of long work, on stderr. When a person is watching (a terminal) it is a bar
// redrawn in place, at most ten times a second; when stderr goes to a file or a pipe
// it is a plain line at most once a second, so a log stays readable. Either way the
// last state is always shown.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's width, when known. */
  columns?: number;
}

export interface ProgressState {
  /** Units done so far (events). */
  done: number;
  /** From 0 to 1. */
  fraction: number;
  perSecond: number;
  /** Undefined until a rate is known. */
  etaSeconds: number | undefined;
}

export interface ProgressBar {
  update(state: ProgressState): void;
  /** Shows the final state and ends the bar's line. */
  finish(state: ProgressState): void;
}

export interface ProgressOptions {
  /** What is being done: "rebuilding balances". */
  label: string;
  /** Default 'events'. */
  unit?: string;
  now?: () => number;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const LINE_MS = 1000;

/**
 * @example
 * const bar = createProgressBar(process.stderr, { label: 'rebuilding balances' });
 * bar.update({ done: 4000, fraction: 0.2, perSecond: 8000, etaSeconds: 2 });
 * bar.finish({ done: 20000, fraction: 1, perSecond: 8000, etaSeconds: 0 });
 */
export function createProgressBar(stream: ProgressStream, options: ProgressOptions): ProgressBar {
  const { label, unit = 'events', now = Date.now } = options;
  const tty = stream.isTTY === true;
  let last = -Infinity;
  let drawn = false;

  function draw(state: ProgressState): void {
    if (tty) {
      const line = barLine(label, unit, state);
      const width = stream.columns ?? 0;
      // \r back to the start, \x1b[K clears what a longer line left behind.
      stream.write(`\r${width > 1 ? line.slice(0, width - 1) : line}\x1b[K`);
    } else {
      stream.write(plainLine(label, unit, state) + '\n');
    }
    drawn = true;
  }

  return {
    update(state) {
      const at = now();
      if (at - last < (tty ? REDRAW_MS : LINE_MS)) return;
      last = at;
      draw(state);
    },
    finish(state) {
      draw({ ...state, fraction: 1, etaSeconds: 0 });
      if (tty && drawn) stream.write('\n');
    },
  };
}

function barLine(label: string, unit: string, state: ProgressState): string {
  const filled = Math.round(clamp(state.fraction) * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  return `${label} ${bar} ${percent(state.fraction).padStart(4)}  ${state.done} ${unit}  ${rate(state, unit)}  ETA ${eta(state.etaSeconds)}`;
}

function plainLine(label: string, unit: string, state: ProgressState): string {
  return `${label}: ${percent(state.fraction)}, ${state.done} ${unit}, ${rate(state, unit)}, ETA ${eta(state.etaSeconds)}`;
}

const clamp = (fraction: number) => Math.min(Math.max(Number.isFinite(fraction) ? fraction : 0, 0), 1);
const percent = (fraction: number) => `${Math.floor(clamp(fraction) * 100)}%`;
const rate = (state: ProgressState, unit: string) => `${Math.round(state.perSecond)} ${unit}/s`;

/** 7 → "7s", 185 → "3m05s", 7300 → "2h01m"; "?" while unknown. */
export function eta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(Math.ceil(seconds), 0);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
