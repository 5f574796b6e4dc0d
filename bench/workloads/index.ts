// The workloads of WORKLOADS.md, in the order they run.

import { w1, w2, w2Warm, w3 } from './appends.js';
import { c1 } from './copy.js';
import { w7 } from './concurrent.js';
import { l1, l2 } from './http.js';
import { w8 } from './own-streams.js';
import { e1Appends, e1Forget, e1Read } from './personal-data.js';
import { r1 } from './retention.js';
import { w7p } from './processes.js';
import { s1 } from './aggregates.js';
import { p1, p2 } from './projections.js';
import { w4, w5, w6 } from './reads.js';
import { o1Appends, o1Projection } from './telemetry.js';
import { wf1, wf1TwoProcesses } from './workflows.js';
import type { Workload } from './workload.js';

export const WORKLOADS: readonly Workload[] = [w1, w2, w2Warm, w3, w4, w5, w6, w7, w7p, ...w8, ...s1, p1, p2, l1, l2, wf1, wf1TwoProcesses, e1Appends, e1Read, e1Forget, r1, c1, o1Appends, o1Projection];

export function findWorkload(id: string): Workload {
  const found = WORKLOADS.find((w) => w.id === id);
  if (!found) throw new Error(`unknown workload ${JSON.stringify(id)}; known: ${WORKLOADS.map((w) => w.id).join(', ')}`);
  return found;
}
