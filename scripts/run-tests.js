#!/usr/bin/env node
// Runs one test tier with Node's own test runner, TypeScript loaded by tsx.
// Tiers: unit (test/unit), integration (test/integration), e2e (test/e2e and every example's test).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const tiers = {
  unit: ['test/unit'],
  integration: ['test/integration'],
  e2e: ['test/e2e', 'examples'],
};

const tier = process.argv[2];
if (!tiers[tier]) {
  console.error(`usage: run-tests.js <${Object.keys(tiers).join('|')}>`);
  process.exit(2);
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = tiers[tier].flatMap(testFiles).sort();
if (files.length === 0) {
  console.error(`no tests in tier ${tier}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  // --test-force-exit: a handle left open after the last test must fail loudly in that
  // test's file, not hang the whole run; every file closes what it opens.
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-force-exit', ...process.argv.slice(3), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
