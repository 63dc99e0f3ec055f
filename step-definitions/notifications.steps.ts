/**
 * Steps about what the notifier tells a watching client.
 */
import { Given, Then, type DataTable } from '@cucumber/cucumber';
import { consistently, eventually } from '../support/eventually';
import { NotificationStream } from '../support/notifications';
import { isTerminal, lifecycleMismatch, type ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedEvents, focusedExecutions } from '../support/focus';
import { awaitStatusFrame, describeFrame, framesNotAbout } from '../support/questions/notices';
import { watchAs } from '../support/tasks/watching';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import type { RememberedRule } from '../support/tasks/rules';
import {
  enforcementFrames,
  enforcementsOfEachRule,
  expectedEnforcementFrames,
  expectExactlyTheseEnforcementFrames,
  type ExpectedFrameRow,
} from '../support/questions/enforcement-frames';

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

// ---- enforcements of my rules (features/tier3/rule-notifications.feature) -----------------------------------------

Given('I am watching enforcement notifications', async function (this: AttuneWorld) {
  this.notifications ??= await NotificationStream.open(this.settings.wsUrl, this.tenant.accessToken);
  this.notifications.subscribe('entity_type:enforcement');
});

Then(
  'I am notified about the enforcement of each rule on {ref} for that event, in this order:',
  async function (this: AttuneWorld, trigger: RefArg, table: DataTable) {
    const step = `I am notified about the enforcement of each rule on ${trigger.ref} for that event, in this order`;
    const stream = this.notifications;
    if (!stream) throw new Error(`[${step}] nobody was watching; add "Given I am watching enforcement notifications" before acting.`);
    const events = focusedEvents(this);
    expect(events.map((e) => e.id), `[${step}] the events in focus (one post, one event)`).to.have.lengthOf(1);
    const rules = this.recallAll<RememberedRule>('rule')
      .map(([, rule]) => rule)
      .filter((rule) => rule.spec.trigger_ref === trigger.ref)
      .sort((a, b) => a.row.id - b.row.id);
    expect(rules.map((r) => r.row.ref), `[${step}] the rules of this scenario on ${trigger.ref}`).to.not.be.empty;
    const links = await enforcementsOfEachRule(this, step, events[0].id, rules);
    const expected = expectedEnforcementFrames(links, events[0].id, table.hashes() as unknown as ExpectedFrameRow[]);
    await expectExactlyTheseEnforcementFrames(stream, step, expected, timeouts.consistently.criteriaMissQuiet);
  },
);

Then('no enforcement frame reaches me', async function (this: AttuneWorld) {
  const stream = this.notifications;
  if (!stream) throw new Error('[no enforcement frame reaches me] nobody was watching; add "Given I am watching enforcement notifications" before acting.');
  await consistently(
    '[no enforcement frame reaches me] my connection receives no enforcement frame',
    timeouts.consistently.criteriaMissQuiet,
    async () => enforcementFrames(stream),
    (frames) => frames.length === 0,
  );
});

Then(
  'tenant {string} hears nothing about my events or enforcements, nor anything else that is not theirs',
  async function (this: AttuneWorld, name: string) {
    const other = this.tenantNamed(name);
    const stream = other.notifications;
    if (!stream || stream === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
    const theirs = other.recall<{ id: number }>('execution', 'last').id;
    const mine = (this.focus.events ?? []).map((e) => e.id);
    await consistently(
      `[tenant "${name}" hears nothing about my events or enforcements] their connection receives no frame about my event(s) ${mine.join(', ') || '-'}, ` +
        `my enforcements, nor anything but their own run ${theirs}`,
      timeouts.consistently.foreignNotificationQuiet,
      async () => framesNotAbout(stream, [theirs]).map(describeFrame),
      (foreign) => foreign.length === 0,
    );
  },
);
