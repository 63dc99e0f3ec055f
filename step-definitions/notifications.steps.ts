/**
 * Steps about what the notifier tells a watching client.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { consistently, eventually } from '../support/eventually';
import { NotificationStream } from '../support/notifications';
import { isTerminal, lifecycleMismatch, type ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { focusedEvents, focusedExecutions } from '../support/focus';
import { awaitStatusFrame, describeFrame, expectOneErrorFrame, framesNotAbout } from '../support/questions/notices';
import { watchAs } from '../support/tasks/watching';
import { execution } from '../support/questions/executions';
import { awaitLifecycleFrames, expectFramesOnTime, type ExecutionFrameView } from '../support/questions/execution-frames';
import {
  deleteRememberedIdentity,
  lastUpgradeAttempt,
  signedInIdentity,
  tenantTokenExpiringIn,
  tryNotifierUpgrade,
  watchWithToken,
  type DepartingIdentity,
} from '../support/tasks/notifier-access';
import { describeOutcome, type UpgradeOutcome } from '../support/websocket-handshake';
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

// ---- every state change of my runs (features/tier3/execution-notifications.feature) -------------------------------

Then('I am notified of each status of that run exactly once, in order: {statuses}', async function (this: AttuneWorld, expected: ExecutionStatus[]) {
  const run = this.recall<{ id: number }>('execution', 'last');
  if (!this.notifications) throw new Error('I was not watching notifications; add "Given I am watching execution notifications" before acting.');
  this.scratch.lifecycleFrames = await awaitLifecycleFrames(this.notifications, 'my connection', run.id, expected);
  this.markAsserted(run.id);
});

Then('each of those frames arrived within the notification latency bound of its change in the database', async function (this: AttuneWorld) {
  const frames = this.scratch.lifecycleFrames as ExecutionFrameView[] | undefined;
  if (!frames) throw new Error('No frames of a run were checked yet ("Then I am notified of each status of that run exactly once, in order: …").');
  const run = this.recall<{ id: number }>('execution', 'last');
  const row = await execution(this, run.id);
  const shown = expectFramesOnTime(frames, run.id, row.updated, timeouts.notificationLatency);
  this.attach(`notification latency of execution ${run.id} (frame arrival − row updated, same clock): ${shown}`, 'text/plain');
});

// ---- who may listen (features/tier3/websocket-security.feature) ---------------------------------------------------

When('I open a notifier connection without any token', async function (this: AttuneWorld) {
  await tryNotifierUpgrade(this, {});
});

When('I open a notifier connection with the bearer token {string}', async function (this: AttuneWorld, token: string) {
  await tryNotifierUpgrade(this, { bearer: token });
});

When('I open a notifier connection with my refresh token', async function (this: AttuneWorld) {
  await tryNotifierUpgrade(this, { bearer: this.tenant.refreshToken });
});

When('I open a notifier connection with my access token in the query string only', async function (this: AttuneWorld) {
  await tryNotifierUpgrade(this, { query: { token: this.tenant.accessToken } });
});

When('I open a notifier connection offering my access token as the subprotocol {string}', async function (this: AttuneWorld, prefix: string) {
  await tryNotifierUpgrade(this, { protocols: ['attune.v1', `${prefix}${this.tenant.accessToken}`] });
});

When(
  "I open a notifier connection with a token of mine signed with the platform's key that expired {int} seconds ago",
  async function (this: AttuneWorld, seconds: number) {
    await tryNotifierUpgrade(this, { bearer: tenantTokenExpiringIn(this, -seconds) });
  },
);

When(
  "I open a notifier connection with a token of mine signed with the platform's key that expires in {int} seconds",
  async function (this: AttuneWorld, seconds: number) {
    await tryNotifierUpgrade(this, { bearer: tenantTokenExpiringIn(this, seconds) });
  },
);

Then('the upgrade is refused with HTTP {int} and the JSON error {string}', function (this: AttuneWorld, status: number, error: string) {
  const outcome = lastUpgradeAttempt(this);
  expect(outcome.kind, `the upgrade: ${describeOutcome(outcome)}`).to.equal('refused');
  const refused = outcome as Extract<UpgradeOutcome, { kind: 'refused' }>;
  expect({ status: refused.status, json: refused.contentType.startsWith('application/json') }, `the upgrade: ${describeOutcome(outcome)}`).to.deep.equal({ status, json: true });
  expect((JSON.parse(refused.body) as { error?: unknown }).error, `the error of the refusal: ${refused.body}`).to.equal(error);
});

Then('the notifier welcomes me on the subprotocol {string}', function (this: AttuneWorld, protocol: string) {
  const outcome = lastUpgradeAttempt(this);
  expect(outcome.kind, `the upgrade: ${describeOutcome(outcome)}`).to.equal('welcomed');
  const welcomed = outcome as Extract<UpgradeOutcome, { kind: 'welcomed' }>;
  expect(welcomed.protocol, `the negotiated subprotocol (${describeOutcome(outcome)})`).to.equal(protocol);
  const { type, client_id: clientId, message } = welcomed.welcome;
  expect({ type, message, clientId: /^client_\d+$/.test(String(clientId)) }, `the welcome frame ${JSON.stringify(welcomed.welcome)}`).to.deep.equal({
    type: 'welcome',
    message: 'Connected to Attune Notifier',
    clientId: true,
  });
});

Given('an identity {string} whose access token the notifier welcomes', async function (this: AttuneWorld, name: string) {
  const identity = await signedInIdentity(this, name);
  const outcome = await tryNotifierUpgrade(this, { bearer: identity.accessToken });
  expect(outcome.kind, `the upgrade with the access token of "${name}" (#${identity.id}): ${describeOutcome(outcome)}`).to.equal('welcomed');
});

When('the administrator deletes the identity {string}', async function (this: AttuneWorld, name: string) {
  await deleteRememberedIdentity(this, name);
});

When('{string} opens a notifier connection again with that same access token', async function (this: AttuneWorld, name: string) {
  await tryNotifierUpgrade(this, { bearer: this.recall<DepartingIdentity>('identity', name).accessToken });
});

Given(
  "I am watching execution notifications with a token of mine signed with the platform's key that expires in {int} seconds",
  async function (this: AttuneWorld, seconds: number) {
    const expiresAt = Date.now() + seconds * 1000;
    this.notifications = await watchWithToken(this, tenantTokenExpiringIn(this, seconds), 'entity_type:execution');
    this.scratch.tokenExpiresAt = expiresAt;
  },
);

Then('the notifier closes my connection with code {int} {string} once that token has expired', async function (this: AttuneWorld, code: number, reason: string) {
  const stream = this.notifications;
  const expiresAt = this.scratch.tokenExpiresAt as number | undefined;
  if (!stream || expiresAt === undefined) throw new Error('I was not watching with a short-lived token ("Given I am watching execution notifications with a token of mine …").');
  const closed = await eventually(
    `the notifier to close my connection once my token expired (at ${new Date(expiresAt).toISOString()})`,
    async () => stream.closedWith,
    (value) => value !== undefined,
    { timeoutMs: expiresAt - Date.now() + timeouts.tokenExpiryClose },
  );
  const closedAt = Date.now();
  expect(closed, 'how the notifier closed my connection').to.deep.equal({ code, reason });
  // whole seconds: `exp` is in seconds, so the token is expired from the start of its second on
  expect(closedAt, `the close came ${closedAt - expiresAt} ms after the token's expiry`).to.be.at.least(Math.floor(expiresAt / 1000) * 1000);
});

When('tenant {string} also listens for my run by its id', function (this: AttuneWorld, name: string) {
  const other = this.tenantNamed(name);
  if (!other.notifications || other.notifications === this.notifications) throw new Error(`Tenant "${name}" was not watching notifications of their own.`);
  other.notifications.subscribe(`entity:execution:${this.recall<{ id: number }>('execution', 'last').id}`);
});

// ---- what a listener may subscribe to (features/tier3/websocket-security.feature) ----------------------------------

Given('an identity {string} that holds no permission set is watching the notifier', async function (this: AttuneWorld, name: string) {
  const identity = await signedInIdentity(this, name);
  const stream = await NotificationStream.open(this.settings.wsUrl, identity.accessToken);
  this.onCleanup(`close the notifier connection of ${identity.login}`, () => stream.close());
  this.remember('watcher', name, stream);
});

When('{string} subscribes to {string}', function (this: AttuneWorld, name: string, filter: string) {
  this.recall<NotificationStream>('watcher', name).subscribe(filter);
});

When('I subscribe to the notifications of tenant {string} by their user id', function (this: AttuneWorld, name: string) {
  if (!this.notifications) throw new Error('I was not watching notifications; add "Given I am watching execution notifications" first.');
  this.notifications.subscribe(`user:${this.tenantNamed(name).tenant.id}`);
});

Then('{string} is answered with exactly one error frame: {string}', async function (this: AttuneWorld, name: string, message: string) {
  await expectOneErrorFrame(this.recall<NotificationStream>('watcher', name), `"${name}"`, message);
});

Then('I am answered with exactly one error frame: {string}', async function (this: AttuneWorld, message: string) {
  if (!this.notifications) throw new Error('I was not watching notifications.');
  await expectOneErrorFrame(this.notifications, 'my connection', message);
});
