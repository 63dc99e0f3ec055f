/**
 * Steps about what the notifier tells a watching client.
 */
import { Given, Then } from '@cucumber/cucumber';
import { consistently, eventually } from '../support/eventually';
import { NotificationStream } from '../support/notifications';
import { isTerminal, lifecycleMismatch, type ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedExecutions } from '../support/focus';
import { awaitStatusFrame, describeFrame, framesNotAbout } from '../support/questions/notices';
import { watchAs } from '../support/tasks/watching';

Given('I am watching execution notifications', async function (this: AttuneWorld) {
  this.notifications ??= await NotificationStream.open(this.settings.wsUrl, this.tenant.accessToken);
  this.notifications.subscribe('entity_type:execution');
});

Then(
  'the notifications show each of those executions going {statuses}',
  async function (this: AttuneWorld, expected: ExecutionStatus[]) {
    const stream = this.notifications;
    if (!stream) throw new Error('Nobody was watching notifications; add "Given I am watching execution notifications" before acting.');
    const final = expected[expected.length - 1];
    for (const summary of focusedExecutions(this).values()) {
      await eventually(
        `notifications of execution ${summary.id} to go ${expected.join(' → ')}`,
        async () => stream.statusSequence(summary.id),
        (sequence) => {
          const mismatch = lifecycleMismatch(sequence, expected);
          if (mismatch) throw new Error(mismatch);
        },
        {
          timeoutMs: timeouts.notificationFrame,
          failFast: (sequence) => {
            const ended = sequence.find((status) => isTerminal(status));
            if (ended && ended !== final) return `the notifications show it ending "${ended}": ${sequence.join(' → ')}`;
            const after = ended ? sequence.slice(sequence.indexOf(ended) + 1) : [];
            if (after.length > 0) return `statuses arrived after the terminal one: ${sequence.join(' → ')}`;
            // Frames of one execution arrive in commit order, so once the terminal one is here nothing earlier can follow.
            return ended ? lifecycleMismatch(sequence, expected) : undefined;
          },
        },
      );
      this.markAsserted(summary.id);
    }
  },
);

Given('tenant {string} is watching all notifications', async function (this: AttuneWorld, name: string) {
  await watchAs(this.tenantNamed(name), 'all');
});

Then('I am notified that my run completed', async function (this: AttuneWorld) {
  const run = this.recall<{ id: number }>('execution', 'last');
  if (!this.notifications) throw new Error('I was not watching notifications; add "Given I am watching execution notifications" before acting.');
  await awaitStatusFrame(this.notifications, 'I', run.id, 'completed');
  this.markAsserted(run.id);
});

Then('tenant {string} is notified that their own run completed', async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  const run = other.recall<{ id: number }>('execution', 'last');
  if (!other.notifications || other.notifications === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
  await awaitStatusFrame(other.notifications, `tenant "${name}"`, run.id, 'completed');
  this.markAsserted(run.id);
});

Then('tenant {string} hears nothing about my run, nor anything else that is not theirs', async function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  const stream = other.notifications;
  if (!stream || stream === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
  const mine = this.recall<{ id: number }>('execution', 'last').id;
  const theirs = other.recall<{ id: number }>('execution', 'last').id;
  await consistently(
    `tenant "${name}" receives no frame about my run ${mine} nor anything else but their own run ${theirs}`,
    timeouts.consistently.foreignNotificationQuiet,
    async () => framesNotAbout(stream, [theirs]).map(describeFrame),
    (foreign) => foreign.length === 0,
  );
});
