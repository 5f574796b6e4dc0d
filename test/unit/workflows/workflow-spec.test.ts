// The given/when/then helper for workflows: it plans each input with the runtime's own
// planner, so its stories show what the runtime records: outputs, timers due and
// cancelled, compensation newest first, late inputs, and ids that are the same each time.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cancel, compensate, complete, defineWorkflow, fail, schedule, send, ValidationError } from '../../../src/index.js';
import { clockMovedBy, commandRejected, commandSucceeded, workflowSpec } from '../../../src/testing/index.js';
import { cancelled, HOUR, orderDefinition, orderFlow, paid, placed, START } from '../../fixtures/workflows.js';

const spec = workflowSpec(orderFlow, { clock: START });
const reserve = send({ type: 'ReserveStock', orderId: 'o1' }, { compensation: { type: 'ReleaseStock', orderId: 'o1' } });
const charge = send({ type: 'ChargePayment', orderId: 'o1', amount: 30 }, { compensation: { type: 'RefundPayment', orderId: 'o1' } });
const shipped = [placed('o1'), commandSucceeded('ReserveStock'), paid('o1'), commandSucceeded('ChargePayment')];

describe('workflowSpec', () => {
  test('given nothing, when an order is placed, then stock is reserved and the payment is due in an hour', () => {
    spec.given([]).when(placed('o1')).then([reserve, schedule({ name: 'payment-due', after: HOUR })]);
    spec.given([]).when(placed('o1')).then([reserve, schedule({ name: 'payment-due', at: START + HOUR })]);
    spec.given([]).when(placed('o1')).thenStatus('running');
    spec.given([]).when(placed('o1')).thenState((state) => assert.equal(state.stage, 'reserving'));
  });

  test('then fails, with the difference, when the outputs are not those', () => {
    assert.throws(() => spec.given([]).when(placed('o1')).then([reserve]), assert.AssertionError);
    assert.throws(() => spec.given([]).when(placed('o1')).thenStatus('completed'), assert.AssertionError);
  });

  test('a timer never fires before it is due, and fires once when it is', () => {
    spec.given([placed('o1')]).whenClockMovesTo(START + HOUR - 1).then([]);
    spec.given([placed('o1')]).whenClockMovesTo(START + HOUR).then([compensate('no payment within the hour')]);
    spec.given([placed('o1'), clockMovedBy(HOUR)]).whenClockMovesBy(HOUR).then([]);
    spec.given([placed('o1')]).whenClockMovesBy(3 * HOUR).then((_outputs, _state, result) => {
      const timer = result.timers.find((t) => t.name === 'payment-due')!;
      assert.equal(timer.state, 'fired');
      assert.equal(timer.latenessMs, 2 * HOUR);
    });
  });

  test('a cancelled timer never fires', () => {
    spec.given([placed('o1'), commandSucceeded('ReserveStock')]).when(paid('o1')).then([cancel('payment-due'), charge]);
    spec.given([placed('o1'), commandSucceeded('ReserveStock'), paid('o1')]).whenClockMovesBy(5 * HOUR).then([]);
  });

  test('the happy path ends completed, its last step completing it', () => {
    spec.given(shipped).when(commandSucceeded('ShipOrder')).then([complete()]);
    spec.given(shipped).when(commandSucceeded('ShipOrder')).thenStatus('completed');
  });

  test('compensation undoes the completed steps newest first, then ends compensated', () => {
    const refused = [...shipped, commandRejected('ShipOrder', 'this order cannot ship')];
    spec.given(shipped).when(commandRejected('ShipOrder', 'this order cannot ship')).then([compensate('this order cannot ship'), send({ type: 'RefundPayment', orderId: 'o1' })]);
    spec.given(refused).when(commandSucceeded('RefundPayment')).then([send({ type: 'ReleaseStock', orderId: 'o1' })]);
    spec.given([...refused, commandSucceeded('RefundPayment')]).when(commandSucceeded('ReleaseStock')).then([{ kind: 'compensated' }]);
    spec.given([...refused, commandSucceeded('RefundPayment')]).when(commandSucceeded('ReleaseStock')).thenStatus('compensated');
  });

  test('a refused compensation ends the instance failed, naming it', () => {
    spec
      .given([...shipped, commandRejected('ShipOrder', 'this order cannot ship')])
      .when(commandRejected('RefundPayment', 'the card is closed'))
      .then([fail('compensation RefundPayment was refused: the card is closed')]);
  });

  test('a cancellation while a step is under way waits for it: undone if it succeeds, nothing to undo if it was refused', () => {
    spec.given([placed('o1')]).when(cancelled('o1')).then([cancel('payment-due'), compensate('cancelled by the customer')]);
    spec.given([placed('o1'), cancelled('o1')]).when(commandSucceeded('ReserveStock')).then([send({ type: 'ReleaseStock', orderId: 'o1' })]);
    spec.given([placed('o1'), cancelled('o1')]).when(commandRejected('ReserveStock', 'out of stock')).then([{ kind: 'compensated' }]);
  });

  test('an input delivered again (the same event id) records nothing', () => {
    const first = { ...placed('o1'), eventId: '0195e7a0-0000-7000-8000-000000000001' };
    spec.given([first]).when(first).then((outputs, _state, result) => {
      assert.deepEqual(outputs, []);
      assert.deepEqual(result.events, []);
    });
  });

  test('an input after the end is recorded as ignored and told to onLate', () => {
    const told: string[] = [];
    const flow = defineWorkflow({ ...orderDefinition, onLate: (input) => void told.push(input.type) });
    workflowSpec(flow).given([...shipped, commandSucceeded('ShipOrder')]).when(cancelled('o1')).then((outputs, _state, result) => {
      assert.deepEqual(outputs, []);
      assert.deepEqual(result.events.map((e) => e.type), ['WorkflowInputIgnored']);
      assert.deepEqual(result.late.map((input) => input.type), ['OrderCancelled']);
      assert.equal(result.status, 'completed');
    });
    assert.deepEqual(told, ['OrderCancelled']);
  });

  test('isTerminal completes the instance without a complete() output from decide', () => {
    const flow = defineWorkflow({ ...orderDefinition, isTerminal: (state) => state.stage === 'shipped', decide: (input, state, context) => orderDefinition.decide(input, state, context).filter((o) => o.kind !== 'complete') });
    workflowSpec(flow).given(shipped).when(commandSucceeded('ShipOrder')).then([complete()]);
  });

  test('ids are deterministic: the same story records the same event ids', () => {
    const ids: string[][] = [];
    for (let i = 0; i < 2; i++) spec.given([placed('o1')]).when(paid('o1')).then((_o, _s, result) => void ids.push(result.events.map((e) => e.eventId)));
    assert.equal(ids[0]!.length, 3);
    assert.deepEqual(ids[0], ids[1]);
    spec.given([placed('o1')]).when(paid('o1')).then((_o, state, result) => {
      assert.equal(state.sent.ChargePayment, result.commands.find((c) => c.command.type === 'ChargePayment')!.commandId);
    });
  });

  test('thenThrows: decide throwing, or returning what is not a list of outputs', () => {
    const throwing = defineWorkflow({ ...orderDefinition, decide: () => { throw new Error('boom'); } });
    workflowSpec(throwing).given([]).when(placed('o1')).thenThrows({ name: 'Error', message: 'boom' });
    const notAList = defineWorkflow({ ...orderDefinition, decide: () => ({ kind: 'complete' }) as never });
    workflowSpec(notAList).given([]).when(placed('o1')).thenThrows({ name: 'ValidationError', field: 'decide' });
    const badOutput = defineWorkflow({ ...orderDefinition, decide: () => [{ kind: 'launch' }] as never });
    workflowSpec(badOutput).given([]).when(placed('o1')).thenThrows(ValidationError);
    assert.throws(() => spec.given([]).when(placed('o1')).thenThrows(Error), assert.AssertionError);
  });

  test('a given step that throws says which one', () => {
    assert.throws(() => spec.given([commandSucceeded('ShipOrder')]).when(placed('o1')).then([]), /given\[0\] threw: no command ShipOrder is pending/);
  });
});
