// End-to-end: `eventline workflows` as an operator runs it, real processes on a SQLite
// file beside a running workflow: three orders, one waiting on its timer, one parked
// by a decide that throws on its approval, one completed. list, show (with and without the
// definitions), retry of the parked one, verify against the same and a changed
// definition, and every kind of bad input refused with one line and nothing written.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { openEventStore, startWorkflows, type EventStore, type Workflows } from '../../src/index.js';
import { BANK, eventline, lines, records, ROOT, type Result } from '../fixtures/cli.js';
import { orderWorkflow } from '../fixtures/order-workflow.js';

const ORDERS = 'test/fixtures/order-workflow.ts';

function assertRefused(result: Result, message: RegExp, code = 2): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '', 'nothing on stdout');
  assert.equal(lines(result.stderr).length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(result.stderr, /^eventline: /);
  assert.match(result.stderr, message);
}

describe('eventline workflows on SQLite, beside a running workflow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventline-cli-workflows-'));
  const url = `sqlite:${join(dir, 'orders.db')}`;
  // The same workflow, but orders expire after two hours: each running order's first step would differ.
  const changed = join(dir, 'changed.ts');
  let store: EventStore;
  let workflows: Workflows;
  const workflowsCli = (...args: string[]) => eventline(['--store', url, 'workflows', ...args]);
  const ok = async (...args: string[]) => {
    const result = await workflowsCli(...args);
    assert.equal(result.code, 0, `workflows ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  before(async () => {
    writeFileSync(changed, `import { createOrderWorkflow } from ${JSON.stringify(pathToFileURL(join(ROOT, ORDERS)).href)};\nexport const orders = createOrderWorkflow({ expireAfterMs: 7200_000 });\n`);
    store = await openEventStore(url);
    workflows = startWorkflows(store, [orderWorkflow], {
      commands: { Reserve: async () => {} },
      retryDelaysMs: [1],
      pollIntervalMs: 50,
      logger: { warn: () => {} },
    });
    await store.appendToStream('order-1', [{ type: 'OrderPlaced', data: { orderId: '1' } }]);
    await store.appendToStream('order-2', [{ type: 'OrderPlaced', data: { orderId: '2' } }]);
    await store.appendToStream('order-2', [{ type: 'OrderApproved', data: { orderId: '2', poison: true } }]);
    await store.appendToStream('order-3', [{ type: 'OrderPlaced', data: { orderId: '3' } }]);
    await store.appendToStream('order-3', [{ type: 'OrderApproved', data: { orderId: '3' } }]);
    await workflows.idle();
  });
  after(async () => {
    await workflows.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list prints each instance aligned, in id order; --json one record each', async () => {
    const human = lines(await ok('list'));
    assert.match(human[0]!, /^INSTANCE\s+WORKFLOW\s+VERSION\s+STATUS\s+STARTED\s+UPDATED\s+ERROR$/);
    assert.equal(human.length, 4);
    assert.match(human[1]!, /^workflow-orders-1\s+orders\s+1\s+running\s+\d{4}-/);
    assert.match(human[2]!, /^workflow-orders-2\s+orders\s+1\s+parked\s+.*order 2 cannot be decided$/);
    assert.match(human[3]!, /^workflow-orders-3\s+orders\s+1\s+completed\s/);
    assert.equal(human[1]!.indexOf('orders '), human[3]!.indexOf('orders '), 'columns line up');

    const json = records(await ok('list', '--json'));
    assert.deepEqual(json.map((r) => [r.streamId, r.instanceId, r.status]), [
      ['workflow-orders-1', '1', 'running'],
      ['workflow-orders-2', '2', 'parked'],
      ['workflow-orders-3', '3', 'completed'],
    ]);
    assert.match(json[0]!.startedAt as string, /^\d{4}-\d\d-\d\dT/);
  });

  test('list --status and --workflow filter; an empty listing says so', async () => {
    assert.deepEqual(records(await ok('list', '--status', 'parked', '--json')).map((r) => r.streamId), ['workflow-orders-2']);
    assert.equal(records(await ok('list', '--workflow', 'orders', '--json')).length, 3);
    assert.equal(await ok('list', '--status', 'compensated'), 'no compensated workflow instances\n');
    assert.equal(await ok('list', '--workflow', 'shipping'), 'no workflow instances of shipping\n');
    assert.equal(await ok('list', '--workflow', 'shipping', '--json'), '');
  });

  test('show prints an instance\'s inputs, outputs, timers and commands; its state with --workflows', async () => {
    const plain = await ok('show', 'workflow-orders-1');
    assert.match(plain, /^instance {2}workflow-orders-1$/m);
    assert.match(plain, /^status {4}running$/m);
    assert.match(plain, /^state {5}\(give --workflows <module> to fold it\)$/m);
    assert.match(plain, /^inputs:\n\s*POSITION\s+VERSION\s+INPUT\s+STATUS\s+DATA\n\s*\d+\s+\d+\s+OrderPlaced\s+decided\s+\{"orderId":"1"\}$/m);
    assert.match(plain, /^outputs:\n(.*\n)*.*WorkflowCommandSent.*\n.*TimerScheduled/m);
    assert.match(plain, /^timers:\nTIMER\s+DUE\s+STATE\s+FIRED\s+LATE\nexpire\s+\S+\s+scheduled$/m);
    assert.match(plain, /^commands:\nCOMMAND\s+TYPE\s+OUTCOME\s+REASON\n\S+\s+Reserve\s+succeeded$/m);

    const withState = await ok('show', 'workflow-orders-1', '--workflows', ORDERS);
    assert.match(withState, /^state {5}\{"orderId":"1","approved":false\}$/m);

    const json = JSON.parse(await ok('show', 'workflow-orders-1', '--workflows', ORDERS, '--json')) as Record<string, unknown>;
    assert.equal(json.status, 'running');
    assert.deepEqual(json.state, { orderId: '1', approved: false });
    assert.deepEqual((json.inputs as { type: string; status: string }[]).map((i) => [i.type, i.status]), [['OrderPlaced', 'decided'], ['WorkflowCommandDone', 'decided']]);
    assert.deepEqual((json.timers as { name: string; state: string }[]).map((t) => [t.name, t.state]), [['expire', 'scheduled']]);
    assert.equal(json.error, null);
  });

  test('show of a parked instance gives its error; a completed one its cancelled timer', async () => {
    assert.match(await ok('show', 'workflow-orders-2'), /^error {5}.*order 2 cannot be decided/m);
    const completed = JSON.parse(await ok('show', 'workflow-orders-3', '--json')) as { status: string; timers: { state: string }[] };
    assert.equal(completed.status, 'completed');
    assert.deepEqual(completed.timers.map((t) => t.state), ['cancelled']);
  });

  test('verify with the same definitions finds nothing; with changed ones lists the instances that would differ and exits 1', async () => {
    assert.match(await ok('verify', '--workflows', ORDERS), /^checked 2 unfinished instance\(s\) of orders: none would differ$/m);

    const differs = await workflowsCli('verify', '--workflows', changed);
    assert.equal(differs.code, 1, differs.stderr);
    assert.equal(differs.stderr, '');
    const human = lines(differs.stdout);
    assert.equal(human[0], 'checked 2 unfinished instance(s) of orders: 2 would differ');
    assert.match(human[1]!, /^INSTANCE\s+POSITION\s+KIND\s+RECORDED\s+DECIDED$/);
    assert.match(human[2]!, /^workflow-orders-1\s+\d+\s+outputs\s+WorkflowStarted, WorkflowInputReceived, WorkflowCommandSent, TimerScheduled\s/);
    assert.match(human[3]!, /^workflow-orders-2\s+\d+\s+outputs\s/);

    const json = await workflowsCli('verify', '--workflows', changed, '--json');
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { checked: number; differences: { streamId: string; kind: string }[] };
    assert.equal(report.checked, 2);
    assert.deepEqual(report.differences.map((d) => [d.streamId, d.kind]), [['workflow-orders-1', 'outputs'], ['workflow-orders-2', 'outputs']]);
  });

  test('retry of a running instance is refused and writes nothing; of the parked one appends WorkflowRetried', async () => {
    const head = await store.headPosition();
    assertRefused(await workflowsCli('retry', 'workflow-orders-1'), /workflow instance workflow-orders-1 is not parked \(it is running\)/);
    const json = await workflowsCli('retry', 'workflow-orders-3', '--json');
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stderr).error, 'DOMAIN_RULE_VIOLATED');
    assert.equal(await store.headPosition(), head, 'nothing written');

    assert.match(await ok('retry', 'workflow-orders-2'), /^workflow instance workflow-orders-2 is set going again/);
    const stream = await store.readStream('workflow-orders-2');
    assert.ok(stream.some((e) => e.type === 'WorkflowRetried'));
    // Its decide still throws: the running workflow takes the input again and parks it again.
    await workflows.idle();
    assert.equal((await workflows.show('workflow-orders-2')).status, 'parked');
  });

  test('bad input is one line and exit 2, and writes nothing', async () => {
    const head = await store.headPosition();
    assertRefused(await workflowsCli('stop'), /workflows: unknown action "stop" \(use list, show, retry or verify\)/);
    assertRefused(await workflowsCli('list', '--status', 'sleeping'), /--status must be one of running, parked, compensating, completed, failed, compensated \(got "sleeping"\)/);
    assertRefused(await workflowsCli('list', '--workflow', 'Orders!'), /--workflow must be a workflow's name/);
    assertRefused(await workflowsCli('list', 'workflow-orders-1'), /workflows list: unexpected argument "workflow-orders-1"/);
    assertRefused(await workflowsCli('show'), /workflows show needs <id>/);
    assertRefused(await workflowsCli('show', 'order-1'), /workflows show: "order-1" is not an instance id \(workflow-<name>-<id>/);
    assertRefused(await workflowsCli('retry', 'workflow-'), /is not an instance id/);
    assertRefused(await workflowsCli('show', 'workflow-orders-9'), /no workflow instance workflow-orders-9/);
    assertRefused(await workflowsCli('retry', 'workflow-orders-9'), /no workflow instance workflow-orders-9/);
    assertRefused(await workflowsCli('show', 'workflow-orders-1', '--status', 'running'), /--status is not an option of workflows show/);
    assertRefused(await workflowsCli('retry', 'workflow-orders-2', '--workflows', ORDERS), /--workflows is not an option of workflows retry/);
    assertRefused(await workflowsCli('verify'), /workflows verify needs --workflows <module>/);
    assertRefused(await workflowsCli('verify', '--workflows', BANK), /--workflows: "test\/fixtures\/projections.ts" exports no workflows/);
    assertRefused(await workflowsCli('verify', '--workflows', 'no/such/module.ts'), /--workflows: cannot load "no\/such\/module.ts"/);
    assert.equal(await store.headPosition(), head, 'nothing written');
  });

  test('a usage error never opens the store: no file is made', async () => {
    const untouched = join(dir, 'untouched.db');
    assertRefused(await eventline(['--store', `sqlite:${untouched}`, 'workflows', 'list', '--status', 'asleep']), /--status must be one of/);
    assertRefused(await eventline(['--store', `sqlite:${untouched}`, 'workflows', 'verify', '--workflows', BANK]), /exports no workflows/);
    assert.equal(existsSync(untouched), false);
  });

  test('help describes the command', async () => {
    const help = await eventline(['help', 'workflows']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: eventline \[--store <url>\] \[--json\] workflows list/);
    assert.match((await eventline(['--help'])).stdout, /^\s+workflows\s+List workflow instances/m);
  });
});
