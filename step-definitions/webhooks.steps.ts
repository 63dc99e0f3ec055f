/**
 * Steps about webhooks: enabling and disabling a trigger's webhook, its key, posting to it (accepted or refused), and
 * webhook triggers wired to rules.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RefArg } from '../support/parameter-types';
import { eventsOf } from '../support/questions/events';
import { trigger as readTrigger } from '../support/questions/triggers';
import { eventually } from '../support/eventually';
import { createRule } from '../support/tasks/rules';
import { focusedEvents } from '../support/focus';
import {
  createTrigger,
  createWebhookTrigger,
  disableWebhook,
  enableWebhook,
  enableWebhookAnswer,
  fireWebhook,
  fireWebhookAtOnce,
  fireWebhookInTurn,
  regenerateWebhookKey,
  unknownWebhookKey,
  type RegenerateAnswer,
  type Trigger,
  type WebhookReceipt,
} from '../support/tasks/webhooks';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { jsonText, parseJson, parseJsonExact } from '../support/json-text';
import { eventAsWritten } from '../support/questions/events';
import { exactChain } from '../support/questions/exact-records';
import { followEvent } from '../support/questions/fire-chain';
import type { RememberedRule } from '../support/tasks/rules';

/** Attune's key format: `wh_` and 16 random bytes in lower-case hex (internals §1.4, `generate_webhook_key`). */
const WEBHOOK_KEY = /^wh_[0-9a-f]{32}$/;

function lastReceipt(world: AttuneWorld): WebhookReceipt {
  return world.recall<WebhookReceipt>('webhook receipt', 'last');
}


// ---- enabling, reading and disabling a webhook --------------------------------------------------------------------

Given('a trigger {ref} with its webhook enabled', async function (this: AttuneWorld, trigger: RefArg) {
  await createWebhookTrigger(this, trigger.name);
});

When('I enable the webhook of the trigger {ref}', async function (this: AttuneWorld, trigger: RefArg) {
  await enableWebhookAnswer(this, trigger.ref);
});

Then(
  'the trigger {ref} has its webhook enabled with a key of "wh_" and 32 lower-case hex digits',
  async function (this: AttuneWorld, trigger: RefArg) {
    const answer = this.recall<Trigger>('webhook enable answer', trigger.ref);
    expect(
      { ref: answer.ref, webhook_enabled: answer.webhook_enabled, key_shape_ok: WEBHOOK_KEY.test(String(answer.webhook_key)) },
      `the answer to enabling the webhook (webhook_key ${JSON.stringify(answer.webhook_key)})`,
    ).to.deep.equal({ ref: trigger.ref, webhook_enabled: true, key_shape_ok: true });
    const readBack = await readTrigger(this, trigger.ref);
    expect(
      { webhook_enabled: readBack.webhook_enabled, webhook_key: readBack.webhook_key },
      `trigger ${trigger.ref} read back after enabling its webhook`,
    ).to.deep.equal({ webhook_enabled: true, webhook_key: answer.webhook_key });
  },
);

Then('enabling the webhook of the trigger {ref} again keeps that key', async function (this: AttuneWorld, trigger: RefArg) {
  const first = this.recall<Trigger>('webhook enable answer', trigger.ref);
  const again = await enableWebhookAnswer(this, trigger.ref);
  expect({ webhook_enabled: again.webhook_enabled, webhook_key: again.webhook_key }, 'the answer to enabling it a second time').to.deep.equal({
    webhook_enabled: true,
    webhook_key: first.webhook_key,
  });
});

Given('the webhook of the trigger {ref} has been disabled', async function (this: AttuneWorld, trigger: RefArg) {
  this.remember('webhook disable answer', trigger.ref, await disableWebhook(this, trigger.ref));
});

Then('the trigger {ref} shows its webhook disabled, without a key', async function (this: AttuneWorld, trigger: RefArg) {
  const answer = this.recall<Trigger>('webhook disable answer', trigger.ref);
  const readBack = await readTrigger(this, trigger.ref);
  for (const [what, row] of [['the answer to disabling the webhook', answer], [`trigger ${trigger.ref} read back`, readBack]] as const) {
    // the key is dropped, so the field is absent (Attune omits a null key) or null
    expect({ webhook_enabled: row.webhook_enabled, webhook_key: row.webhook_key ?? null }, what).to.deep.equal({
      webhook_enabled: false,
      webhook_key: null,
    });
  }
});

// ---- webhooks wired to rules --------------------------------------------------------------------------------------

Given(
  'a webhook {ref} whose rule {ref} runs {ref} with the parameters:',
  async function (this: AttuneWorld, trigger: RefArg, rule: RefArg, action: RefArg, json: string) {
    const created = await createWebhookTrigger(this, trigger.name);
    const params = parseJson(json, 'the rule parameters') as Record<string, unknown>;
    await createRule(this, { name: rule.name, trigger_ref: created.ref, action_ref: action.ref, action_params: params });
  },
);

Given(
  'a webhook {ref} with these rules, each running {ref} with its message:',
  async function (this: AttuneWorld, trigger: RefArg, action: RefArg, table: DataTable) {
    const created = await createWebhookTrigger(this, trigger.name);
    for (const row of table.hashes()) {
      await createRule(this, { name: row.rule, trigger_ref: created.ref, action_ref: action.ref, action_params: { message: row.message } });
    }
  },
);

// ---- posting -------------------------------------------------------------------------------------------------------

When('the webhook {ref} receives these payloads, one post after another:', async function (this: AttuneWorld, trigger: RefArg, table: DataTable) {
  const payloads = table.hashes().map((row, i) => parseJson(row.payload, `payload ${i + 1}`));
  const ids = await fireWebhookInTurn(this, this.recall<string>('webhook', trigger.ref), payloads);
  const events = await eventually(
    `events ${ids.join(', ')} of ${trigger.ref} to be listed`,
    () => eventsOf(this, { trigger_ref: trigger.ref }),
    (rows) => ids.every((id) => rows.some((row) => row.id === id)),
    { timeoutMs: timeouts.eventRecorded },
  );
  this.focus = { events: ids.map((id) => events.find((row) => row.id === id)!) };
  this.scratch.webhookPayloads = payloads;
});

/**
 * Posts `{"n": 1}`, `{"n": 2}`, … one after another, or all at the same time ("at once"); "more" continues the
 * numbering and adds the new events to those already in focus, so a scenario can post in batches around a service
 * restart and then talk about all of them (in the order the target recorded them).
 */
When(
  /^the webhook "([^"]+)" receives (\d+) (more )?numbered payloads( at once)?$/,
  async function (this: AttuneWorld, name: string, countText: string, more?: string, atOnce?: string) {
    const trigger = { name, ref: this.ref(name) };
    const already = more ? ((this.scratch.webhookPayloads as unknown[] | undefined) ?? []) : [];
    const earlierEvents = more ? focusedEvents(this) : [];
    const payloads = Array.from({ length: Number(countText) }, (_, i) => ({ n: already.length + i + 1 }));
    const key = this.recall<string>('webhook', trigger.ref);
    const posted = atOnce
      ? await fireWebhookAtOnce(this, key, payloads)
      : (await fireWebhookInTurn(this, key, payloads)).map((eventId, i) => ({ eventId, payload: payloads[i] }));
    const ids = posted.map((p) => p.eventId);
    const events = await eventually(
      `events ${ids.join(', ')} of ${trigger.ref} to be listed`,
      () => eventsOf(this, { trigger_ref: trigger.ref }),
      (rows) => ids.every((id) => rows.some((row) => row.id === id)),
      { timeoutMs: timeouts.eventRecorded },
    );
    // in the order the target lists them (posts sent at once may be stamped in another order than their ids)
    const listedAt = new Map(events.map((row, i) => [row.id, i]));
    posted.sort((a, b) => listedAt.get(a.eventId)! - listedAt.get(b.eventId)!);
    this.focus = { events: [...earlierEvents, ...posted.map((p) => events.find((row) => row.id === p.eventId)!)] };
    this.scratch.webhookPayloads = [...already, ...posted.map((p) => p.payload)];
  },
);

When('someone posts this payload to the webhook key of {ref}:', async function (this: AttuneWorld, trigger: RefArg, json: string) {
  await fireWebhook(this, this.recall<string>('webhook', trigger.ref), parseJson(json, 'the payload'));
});

When('someone posts this payload to a webhook key that no trigger holds:', async function (this: AttuneWorld, json: string) {
  await fireWebhook(this, unknownWebhookKey(), parseJson(json, 'the payload'));
});

Then('the webhook answered 200 with the id of the event it created', async function (this: AttuneWorld) {
  const receipt = lastReceipt(this);
  const data = (receipt.body as { data?: Record<string, unknown> } | undefined)?.data ?? {};
  const events = this.focus.events ?? [];
  expect(events, 'the event created by the post').to.have.lengthOf(1);
  expect(
    { status: receipt.status, event_id: data.event_id, trigger_ref: data.trigger_ref, message: data.message },
    `the answer to the post: ${JSON.stringify(receipt.body)}`,
  ).to.deep.equal({ status: 200, event_id: events[0].id, trigger_ref: events[0].trigger_ref, message: 'Webhook received successfully' });
  expect(Number.isFinite(Date.parse(String(data.received_at))), `received_at ${JSON.stringify(data.received_at)} is a timestamp`).to.equal(true);
});

function expectRefused(world: AttuneWorld, status: number): Record<string, unknown> {
  const receipt = lastReceipt(world);
  const shown = `the answer to the post (${receipt.status}): ${JSON.stringify(receipt.body)}`;
  expect(receipt.status, shown).to.equal(status);
  expect(receipt.body, shown).to.be.an('object');
  const body = receipt.body as Record<string, unknown>;
  expect(body.error, `the error of ${shown}`).to.be.a('string').and.not.equal('');
  return body;
}

Then('the post is refused with {int} and a JSON error body', function (this: AttuneWorld, status: number) {
  expectRefused(this, status);
});

Then('the post is refused with {int} and the JSON error {string}', function (this: AttuneWorld, status: number, message: string) {
  expect(expectRefused(this, status).error, 'the error text').to.equal(message);
});

// ---- a webhook wired to one rule (moved here from the execution steps) ---------------------------------------------------------------------

Given('a webhook {ref} whose rule {ref} runs {ref}', async function (this: AttuneWorld, trigger: RefArg, rule: RefArg, action: RefArg) {
  const created = await createTrigger(this, trigger.name);
  await enableWebhook(this, created.ref);
  await createRule(this, { name: rule.name, trigger_ref: created.ref, action_ref: action.ref });
});

When('the webhook {ref} receives the payload:', async function (this: AttuneWorld, trigger: RefArg, json: string) {
  // exact: an integer beyond 2^53 in the docstring is posted and expected digit for digit
  const payload = parseJsonExact(json, 'the payload');
  const receipt = await fireWebhook(this, this.recall<string>('webhook', trigger.ref), payload);
  if (receipt.status !== 200 || receipt.eventId === undefined) {
    throw new Error(`posting to the webhook of ${trigger.ref} answered ${receipt.status}: ${jsonText(receipt.body)}`);
  }
  const eventId = receipt.eventId;
  const events = await eventually(
    `event ${eventId} of ${trigger.ref} to be listed`,
    () => eventsOf(this, { trigger_ref: trigger.ref }),
    (rows) => rows.some((row) => row.id === eventId),
    { timeoutMs: timeouts.eventRecorded },
  );
  this.focus = { events: events.filter((row) => row.id === eventId) };
  this.scratch.webhookPayload = payload;
});

Then('the event is recorded with the payload it received', async function (this: AttuneWorld) {
  for (const summary of focusedEvents(this)) {
    const full = await eventAsWritten(this, summary.id);
    expect(full.payload, `payload of event ${summary.id}`).to.deep.equal(this.scratch.webhookPayload);
  }
});

Then(
  'the rule {ref} ran {ref} once for that event, and the enforcement, the execution and the input the action printed hold, digit for digit:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, json: string) {
    const expected = parseJsonExact(json, 'the expected parameters');
    const remembered = this.recall<RememberedRule>('rule', rule.name);
    const [event] = focusedEvents(this);
    const link = await followEvent(this, event.id, remembered.row, action.ref, 'completed');
    this.markAsserted(link.execution.id);
    const chain = await exactChain(this, link.enforcement.id, link.execution.id);
    const shown = `enforcement ${link.enforcement.id} and execution ${link.execution.id} (${jsonText(chain)})`;
    expect(chain.enforcementConfig, `${shown}: the enforcement's config`).to.deep.equal(expected);
    expect(chain.executionConfig, `${shown}: the execution's config`).to.deep.equal(expected);
    expect(chain.stdout.endsWith('\n') && !chain.stdout.slice(0, -1).includes('\n'), `${shown}: the action printed one line`).to.equal(true);
    expect(parseJsonExact(chain.stdout, 'what the action printed'), `${shown}: the input the action printed`).to.deep.equal(expected);
    expect(chain.resultData, `${shown}: result.data, its parsed output`).to.deep.equal(expected);
  },
);

// ---- regenerating a webhook key (features/tier2/webhook-keys.feature) ------------------------------------------------

When(/^I (?:try to )?regenerate the webhook key of the trigger "([^"]+)"$/, async function (this: AttuneWorld, name: string) {
  await regenerateWebhookKey(this, this.ref(name));
});

Then(
  'the answer shows the webhook of {ref} enabled with a new key of "wh_" and 32 lower-case hex digits, not the old one, and the trigger reads back the same',
  async function (this: AttuneWorld, trigger: RefArg) {
    const answer = this.recall<RegenerateAnswer>('webhook regenerate answer', trigger.ref);
    const shown = `the answer to regenerating the key (${answer.status}): ${JSON.stringify(answer.body)}`;
    expect(answer.status, shown).to.equal(200);
    const key = answer.trigger?.webhook_key;
    expect(answer.oldKey, 'the key the webhook had before').to.match(WEBHOOK_KEY);
    expect(
      { ref: answer.trigger?.ref, webhook_enabled: answer.trigger?.webhook_enabled, key_shape_ok: WEBHOOK_KEY.test(String(key)), same_as_old: key === answer.oldKey },
      `${shown} (old key ${answer.oldKey})`,
    ).to.deep.equal({ ref: trigger.ref, webhook_enabled: true, key_shape_ok: true, same_as_old: false });
    const readBack = await readTrigger(this, trigger.ref);
    expect({ webhook_enabled: readBack.webhook_enabled, webhook_key: readBack.webhook_key }, `trigger ${trigger.ref} read back`).to.deep.equal({
      webhook_enabled: true,
      webhook_key: key,
    });
  },
);

When('someone posts this payload to the old webhook key of {ref}:', async function (this: AttuneWorld, trigger: RefArg, json: string) {
  await fireWebhook(this, this.recall<string>('old webhook', trigger.ref), parseJson(json, 'the payload'));
});

Then('regenerating is refused with {int} and a JSON error body', function (this: AttuneWorld, status: number) {
  const answers = this.recallAll<RegenerateAnswer>('webhook regenerate answer');
  expect(answers, 'regenerate calls of the scenario').to.have.lengthOf(1);
  const [, answer] = answers[0];
  const shown = `the answer to regenerating the key (${answer.status}): ${JSON.stringify(answer.body)}`;
  expect(answer.status, shown).to.equal(status);
  expect((answer.body as { error?: unknown } | undefined)?.error, `the "error" of ${shown}`).to.be.a('string').and.not.equal('');
});

Then('the trigger {ref} still has its webhook disabled, without a key', async function (this: AttuneWorld, trigger: RefArg) {
  const readBack = await readTrigger(this, trigger.ref);
  expect({ webhook_enabled: readBack.webhook_enabled, webhook_key: readBack.webhook_key ?? null }, `trigger ${trigger.ref} read back`).to.deep.equal({
    webhook_enabled: false,
    webhook_key: null,
  });
});
