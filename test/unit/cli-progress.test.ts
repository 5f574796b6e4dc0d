// The rebuild's progress on stderr: a bar redrawn in place on a terminal, at most ten
// times a second; plain lines at most once a second anywhere else; the end always shown.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgressBar, eta } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  let clock = 0;
  return { stream: { isTTY, columns, write: (text: string) => writes.push(text) }, writes, now: () => clock, advance: (ms: number) => (clock += ms) };
}

const at = (fraction: number) => ({ done: Math.round(fraction * 20_000), fraction, perSecond: 5000, etaSeconds: (1 - fraction) * 4 });

test('on a terminal the bar is redrawn in place, at most ten times a second, and its line ends when done', () => {
  const { stream, writes, now, advance } = fakeStream(true);
  const bar = createProgressBar(stream, { label: 'rebuilding balances', now });
  bar.update(at(0.25));
  advance(50);
  bar.update(at(0.3)); // too soon: not drawn
  advance(60);
  bar.update(at(0.5));
  bar.finish(at(1));
  assert.equal(writes.length, 4);
  assert.equal(writes[0], '\rrebuilding balances ██████░░░░░░░░░░░░░░░░░░  25%  5000 events  5000 events/s  ETA 3s\x1b[K');
  assert.equal(writes[1], `\rrebuilding balances ${'█'.repeat(12)}${'░'.repeat(12)}  50%  10000 events  5000 events/s  ETA 2s\x1b[K`);
  assert.equal(writes[2], `\rrebuilding balances ${'█'.repeat(24)} 100%  20000 events  5000 events/s  ETA 0s\x1b[K`);
  assert.equal(writes[3], '\n');
});

test('on a narrow terminal the line is cut short of the last column, so it never wraps', () => {
  const { stream, writes, now } = fakeStream(true, 30);
  createProgressBar(stream, { label: 'rebuilding balances', now }).update(at(0.5));
  assert.equal(writes[0], '\r' + 'rebuilding balances █████████' + '\x1b[K');
});

test('anywhere else it prints a plain line at most once a second, and always the last', () => {
  const { stream, writes, now, advance } = fakeStream(false);
  const bar = createProgressBar(stream, { label: 'rebuilding balances', now });
  bar.update({ done: 2000, fraction: 0.1, perSecond: 8123.4, etaSeconds: undefined });
  advance(500);
  bar.update(at(0.4));
  advance(600);
  bar.update(at(0.6));
  bar.finish(at(1));
  assert.deepEqual(writes, [
    'rebuilding balances: 10%, 2000 events, 8123 events/s, ETA ?\n',
    'rebuilding balances: 60%, 12000 events, 5000 events/s, ETA 2s\n',
    'rebuilding balances: 100%, 20000 events, 5000 events/s, ETA 0s\n',
  ]);
});

test('the time left reads as seconds, minutes or hours', () => {
  assert.deepEqual([eta(undefined), eta(0.2), eta(59), eta(185), eta(7300)], ['?', '1s', '59s', '3m05s', '2h01m']);
});
