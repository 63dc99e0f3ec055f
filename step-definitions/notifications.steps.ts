/**
 * Steps about what the notifier tells a watching client.
 */
import { Given, Then } from '@cucumber/cucumber';
import { eventually } from '../support/eventually';
import { NotificationStream } from '../support/notifications';
import { isTerminal, lifecycleMismatch, type ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedExecutions } from '../support/focus';

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
