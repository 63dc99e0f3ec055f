/**
 * (c) Every message on attune.events and attune.executions during one manual execution and one
 * webhook-driven execution (seen through a tap queue bound with `#` to both exchanges) is an
 * Attune envelope: message_id UUID, correlation_id UUID, a PascalCase message_type from the
 * catalog routed on its exchange/key, version "1.0", RFC 3339 timestamp, headers and payload
 * objects; and it is published as persistent application/json with the envelope's ids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type amqp from 'amqplib';
import { closeConnection, connect, tap, type Tap, type Tapped } from './lib/amqp';
import { openDb } from './lib/db';
import { createPack, createRule, createTrigger, enableWebhook, fireWebhook } from './lib/fixtures';
import { execute, login, settled } from './lib/http';
import { useItestStack } from './lib/itest-stack';
import { waitFor } from './lib/wait';

useItestStack();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** attune-internals §2.5: message_type → exchange and the routing keys it may travel under. */
const CATALOG: Record<string, { exchange: string; keys: RegExp }> = {
  EventCreated: { exchange: 'attune.events', keys: /^event\.created$/ },
  EnforcementCreated: { exchange: 'attune.executions', keys: /^enforcement\.created$/ },
  ExecutionRequested: { exchange: 'attune.executions', keys: /^execution\.(requested|dispatch\.worker\.\d+)$/ },
  ExecutionStatusChanged: { exchange: 'attune.executions', keys: /^execution\.status\.changed$/ },
  ExecutionCompleted: { exchange: 'attune.executions', keys: /^execution\.completed$/ },
  ExecutionCancelRequested: { exchange: 'attune.executions', keys: /^execution\.cancel\.worker\.\d+$/ },
  InquiryCreated: { exchange: 'attune.executions', keys: /^inquiry\.created$/ },
  InquiryResponded: { exchange: 'attune.executions', keys: /^inquiry\.responded$/ },
  NotificationCreated: { exchange: 'attune.notifications', keys: /^notification\.created$/ },
  RuleCreated: { exchange: 'attune.events', keys: /^rule\.created$/ },
  RuleEnabled: { exchange: 'attune.events', keys: /^rule\.enabled$/ },
  RuleDisabled: { exchange: 'attune.events', keys: /^rule\.disabled$/ },
  RuleDeleted: { exchange: 'attune.events', keys: /^rule\.deleted$/ },
  PackRegistered: { exchange: 'attune.events', keys: /^pack\.registered$/ },
  PackDeleted: { exchange: 'attune.events', keys: /^pack\.deleted$/ },
  PackTestRequested: { exchange: 'attune.executions', keys: /^pack\.test\.(requested|dispatch\.worker\.\d+)$/ },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with one tapped message, empty when it is a proper envelope. */
function envelopeProblems(m: Tapped): string[] {
  const out: string[] = [];
  let env: unknown;
  try {
    env = JSON.parse(m.body);
  } catch {
    return ['body is not JSON'];
  }
  if (!isObject(env)) return ['body is not a JSON object'];
  const type = env.message_type;
  if (typeof env.message_id !== 'string' || !UUID.test(env.message_id)) out.push(`message_id ${JSON.stringify(env.message_id)} is not a UUID`);
  if (typeof env.correlation_id !== 'string' || !UUID.test(env.correlation_id)) out.push(`correlation_id ${JSON.stringify(env.correlation_id)} is not a UUID`);
  if (typeof type !== 'string' || !(type in CATALOG)) out.push(`message_type ${JSON.stringify(type)} is not in the catalog`);
  else {
    if (CATALOG[type].exchange !== m.exchange) out.push(`${type} published on ${m.exchange}, expected ${CATALOG[type].exchange}`);
    if (!CATALOG[type].keys.test(m.routingKey)) out.push(`${type} published with routing key ${m.routingKey}`);
  }
  if (env.version !== '1.0') out.push(`version ${JSON.stringify(env.version)}`);
  if (typeof env.timestamp !== 'string' || !RFC3339.test(env.timestamp) || Number.isNaN(Date.parse(env.timestamp))) {
    out.push(`timestamp ${JSON.stringify(env.timestamp)} is not RFC 3339`);
  }
  if (!isObject(env.headers)) out.push('headers is not an object');
  else if (env.headers.retry_count !== undefined && !Number.isInteger(env.headers.retry_count)) out.push('headers.retry_count is not an integer');
  if (!isObject(env.payload)) out.push('payload is not an object');
  const p = m.properties;
  if (p.contentType !== 'application/json') out.push(`content type ${String(p.contentType)}`);
  if (p.deliveryMode !== 2) out.push(`delivery mode ${String(p.deliveryMode)} (not persistent)`);
  if (p.messageId !== env.message_id) out.push(`AMQP message id ${String(p.messageId)} differs from the envelope's`);
  if (p.correlationId !== env.correlation_id) out.push(`AMQP correlation id ${String(p.correlationId)} differs from the envelope's`);
  return out;
}

const typeOf = (m: Tapped): string => {
  try {
    return String((JSON.parse(m.body) as { message_type?: unknown }).message_type);
  } catch {
    return '?';
  }
};

describe('every message on attune.events and attune.executions is an Attune envelope', () => {
  let conn: amqp.ChannelModel;
  let wire: Tap;
  const executionIds: number[] = [];

  before(async () => {
    conn = await connect();
    wire = await tap(conn, [
      { exchange: 'attune.events', keys: ['#'] },
      { exchange: 'attune.executions', keys: ['#'] },
    ]);

    const { access_token: token } = await login();
    // One manual execution ...
    const manual = await execute(token, 'core.echo', { message: 'envelope check' });
    executionIds.push(manual);
    assert.equal((await settled(token, manual)).status, 'completed');

    // ... and one webhook event that a rule turns into an execution.
    await createPack(token, 'itest_env');
    await createTrigger(token, 'itest_env', 'itest_env.hook');
    const key = await enableWebhook(token, 'itest_env.hook');
    await createRule(token, {
      ref: 'itest_env.on_hook', pack_ref: 'itest_env', trigger_ref: 'itest_env.hook', action_ref: 'core.echo',
      action_params: { message: '{{ event.payload.text }}' },
    });
    const eventId = await fireWebhook(key, { text: 'hello from the webhook' });
    const db = await openDb();
    try {
      const ruled = await waitFor(
        async () => (await db.query('SELECT ex.id FROM execution ex JOIN enforcement en ON en.id = ex.enforcement WHERE en.event = $1', [eventId])).rows[0]?.id as number | undefined,
        { what: `the execution of event ${eventId}` },
      );
      executionIds.push(Number(ruled)); // BIGINT arrives as a string from pg
      assert.equal((await settled(token, ruled)).status, 'completed');
    } finally {
      await db.end();
    }

    // Everything those runs published has reached the tap once both completions have.
    const completed = (id: number) =>
      wire.messages.some((m) => typeOf(m) === 'ExecutionCompleted' && (JSON.parse(m.body) as { payload: { execution_id: number } }).payload.execution_id === id);
    await waitFor(() => executionIds.every(completed), { what: `ExecutionCompleted of executions ${executionIds.join(', ')} on the tap` }).catch((err: Error) => {
      throw new Error(`${err.message}; seen: ${wire.messages.map((m) => `${m.routingKey} ${m.body.slice(0, 160)}`).join('\n')}`);
    });
    // ... and nothing more is in flight: the tap has been quiet for a moment.
    let seen = -1;
    await waitFor(() => {
      const quiet = seen === wire.messages.length;
      seen = wire.messages.length;
      return quiet;
    }, { what: 'the tap to go quiet', intervalMs: 300, timeoutMs: 10_000 });
  });

  after(async () => {
    await wire?.close();
    await closeConnection(conn);
  });

  test('the runs produced the expected message types', () => {
    const types = new Set(wire.messages.map(typeOf));
    for (const t of ['RuleCreated', 'EventCreated', 'EnforcementCreated', 'ExecutionRequested', 'ExecutionStatusChanged', 'ExecutionCompleted']) {
      assert.ok(types.has(t), `no ${t} seen; saw ${[...types].join(', ')}`);
    }
    const dispatches = wire.messages.filter((m) => /^execution\.dispatch\.worker\.\d+$/.test(m.routingKey));
    assert.equal(dispatches.length, 2, 'one dispatch per execution');
  });

  test('each message parses as the envelope and is published as Attune publishes it', () => {
    const bad = wire.messages
      .map((m) => ({ m, problems: envelopeProblems(m) }))
      .filter((x) => x.problems.length > 0)
      .map((x) => `${x.m.exchange}/${x.m.routingKey}: ${x.problems.join('; ')}\n    ${x.m.body.slice(0, 300)}`);
    assert.ok(wire.messages.length >= 10, `only ${wire.messages.length} messages seen`);
    assert.deepEqual(bad, [], `${bad.length} of ${wire.messages.length} messages are not proper envelopes:\n${bad.join('\n')}`);
  });

  test('message ids are unique', () => {
    const ids = wire.messages.map((m) => (JSON.parse(m.body) as { message_id: string }).message_id);
    assert.equal(new Set(ids).size, ids.length);
  });
});
