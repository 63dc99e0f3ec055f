/**
 * Steps that watch Attune's message traffic. Only for scenarios tagged @requires-queue.
 */
import { Given, Then } from '@cucumber/cucumber';
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
