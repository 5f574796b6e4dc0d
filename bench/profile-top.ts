// Where a measurement's time goes: the functions with the most self time in the
// CPU profiles that `npm run bench -- --prof` writes (bench/results/profiles/<run>-<workload>-<store>/).
// Usage: npx tsx bench/profile-top.ts <profile folder or .cpuprofile file> [count]

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [path, countArg] = process.argv.slice(2);
if (!path) {
  console.error('usage: npx tsx bench/profile-top.ts <profile folder or .cpuprofile file> [count]');
  process.exit(2);
}
const files = statSync(path).isDirectory()
  ? readdirSync(path).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(path, f))
  : [path];

const selfMs = new Map<string, number>();
let totalMs = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
    totalMs += ms;
  });
}
const top = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 25));
console.log(`${files.length} profile(s), ${totalMs.toFixed(0)} ms sampled`);
for (const [key, ms] of top) console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${key}`);
