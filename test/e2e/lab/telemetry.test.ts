// The Lab as `npm start` runs it, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// collector (a plain HTTP server here, keeping what it is sent): the Lab's traces and
// metrics arrive over OTLP/HTTP as service eventline-lab, flushed as SIGTERM drains it,
// with Eventline's spans and metrics and a server span per request, and nothing of the
// author's personal data.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { authorAt, startLab } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'eventline-lab-otel-'));
const received: { path: string; body: string }[] = [];
let collector: Server;
let endpoint = '';

before(async () => {
  collector = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => collector.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('given an OTLP endpoint, the Lab exports its traces and metrics there as it drains, and no personal data', async () => {
  const lab = await startLab(`sqlite:${join(dir, 'lab.db')}`, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  let code: number | null;
  try {
    await authorAt(lab.url, {}, { name: 'Hedy Quasimodo', email: 'hedy.q@example.org' });
  } finally {
    code = await lab.stop('SIGTERM');
  }
  assert.equal(code, 0, lab.stderr());
  assert.equal(lab.stdout().trim().split('\n').length, 1, 'stdout still has its one line');

  const traces = received.filter((r) => r.path === '/v1/traces').map((r) => r.body).join('\n');
  const metrics = received.filter((r) => r.path === '/v1/metrics').map((r) => r.body).join('\n');
  for (const expected of ['eventline-lab', 'POST /api/authors', 'eventline.command', 'eventline.append', 'eventline.projection.batch']) {
    assert.ok(traces.includes(expected), `the traces name ${expected}`);
  }
  for (const expected of ['eventline-lab', 'eventline.append.duration', 'eventline.append.events', 'eventline.consumer.lag']) {
    assert.ok(metrics.includes(expected), `the metrics name ${expected}`);
  }
  for (const secret of ['Hedy', 'Quasimodo', 'hedy.q@example.org']) {
    assert.ok(!traces.includes(secret) && !metrics.includes(secret), `nothing says ${secret}`);
  }
});
