// A probe's one argument: how many rounds to run. Anything but a whole number above 0
// stops the probe with a one-line message and exit code 2, before it measures anything.

import { positive } from '../options.js';

export function roundsArgument(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  try {
    return positive('rounds', raw, true);
  } catch (error) {
    console.error(`probe: ${(error as Error).message}`);
    process.exit(2);
  }
}
