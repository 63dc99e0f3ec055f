/**
 * Steps that watch Attune's message traffic. Only for scenarios tagged @requires-queue.
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import { QueueTap } from '../support/queue';
import type { AttuneWorld } from '../support/world';
import { focusedEvents } from '../support/focus';
import { lastWorkflowRun } from '../support/tasks/workflows';

Given('I am tapping the message queue', async function (this: AttuneWorld) {
  this.queueTap ??= await QueueTap.open(this.settings.amqpUrl);
});

Then('the message queue carried an {string} message for each of those events', async function (this: AttuneWorld, messageType: string) {
  const tap = this.queueTap;
  if (!tap) throw new Error('Nobody was tapping the queue; add "Given I am tapping the message queue" before acting.');
  const wanted = focusedEvents(this).map((e) => e.id);
  await eventually(
    `${messageType} messages for events ${wanted.join(', ')}`,
    async () => tap.ofType(messageType).map((m) => Number(m.envelope.payload?.event_id)),
    (seen) => wanted.every((id) => seen.includes(id)),
  );
});

Then(
  'the message queue carried an {string} message for the workflow run, from {string} to {string}',
  async function (this: AttuneWorld, messageType: string, from: string, to: string) {
    const tap = this.queueTap;
    if (!tap) throw new Error('Nobody was tapping the queue; add "Given I am tapping the message queue" before acting.');
    const id = lastWorkflowRun(this).execution.id;
    await eventually(
      `an ${messageType} message for workflow run #${id} from ${from} to ${to}`,
      async () =>
        tap
          .ofType(messageType)
          .filter((m) => Number(m.envelope.payload?.execution_id) === id)
          .map((m) => ({ from: m.envelope.payload?.previous_status, to: m.envelope.payload?.new_status })),
      (seen) => seen.some((m) => m.from === from && m.to === to),
    );
  },
);

/** The id of the scenario's last run (remembered by "When I run …"). */
function lastRunId(world: AttuneWorld): number {
  return world.recall<{ id: number }>('execution', 'last').id;
}

Then('the message queue carried exactly {int} requests to schedule that run', async function (this: AttuneWorld, count: number) {
  const tap = this.queueTap;
  if (!tap) throw new Error('Nobody was tapping the queue; add "Given I am tapping the message queue" before acting.');
  const id = lastRunId(this);
  const requests = () =>
    tap.withRoutingKey('execution.requested').filter((m) => m.envelope.message_type === 'ExecutionRequested' && Number(m.envelope.payload?.execution_id) === id);
  await eventually(`${count} ExecutionRequested messages (execution.requested) for execution ${id}`, async () => requests().length, (n) => n >= count);
  expect(requests().length, `ExecutionRequested messages for execution ${id}`).to.equal(count);
});

Then('the message queue carried exactly one completion of that run', async function (this: AttuneWorld) {
  const tap = this.queueTap;
  if (!tap) throw new Error('Nobody was tapping the queue; add "Given I am tapping the message queue" before acting.');
  const id = lastRunId(this);
  // a second run of the execution would end with a second ExecutionCompleted; duplicate dispatches the worker ignores do not
  const completions = () => tap.ofType('ExecutionCompleted').filter((m) => Number(m.envelope.payload?.execution_id) === id);
  await eventually(`an ExecutionCompleted message for execution ${id}`, async () => completions().length, (n) => n >= 1);
  expect(completions().map((m) => m.envelope.payload?.status), `ExecutionCompleted messages for execution ${id}`).to.deep.equal(['completed']);
});
