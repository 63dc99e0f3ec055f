/**
 * (b) Malformed AMQP messages published where the executor (and the worker) consume are rejected
 * without requeue: each is dead-lettered to attune.dlx exactly once (a requeue would redeliver it
 * instead), the queues drain to 0, the consumers stay attached, no service restarts, and a manual
 * execution afterwards completes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type amqp from 'amqplib';
import { blockedNote, closeConnection, connect, tap, type Tap } from './lib/amqp';
import { openDb } from './lib/db';
import { execute, login, services, settled, type ServiceSnapshot } from './lib/http';
import { readLog, useItestStack } from './lib/itest-stack';
import { waitFor, within } from './lib/wait';

useItestStack();

interface Target {
  exchange: string;
  routingKey: string;
  queue: string;
  idField: string;
  messageType: string;
}

const envelope = (messageType: string, payload: unknown) =>
  JSON.stringify({
    message_id: randomUUID(),
    correlation_id: randomUUID(),
    message_type: messageType,
    version: '1.0',
    timestamp: new Date().toISOString(),
    headers: { retry_count: 0, source_service: 'itest' },
    payload,
  });

/** Bodies no consumer may act on, each with a name for the failure message. */
function malformedBodies(t: Target): Array<[string, string]> {
  return [
    ['non-JSON body', 'this is {not json'],
    ['empty body', ''],
    ['JSON array', '[1,2,3]'],
    ['JSON string', '"ExecutionRequested"'],
    ['unknown message_type', envelope('NoSuchMessageType', { [t.idField]: 1 })],
    ['lower-case message_type', envelope(t.messageType.toLowerCase(), { [t.idField]: 1 })],
    ['payload missing its id', envelope(t.messageType, { action_ref: 'core.echo', trigger_ref: 'core.webhook' })],
    ['payload id of the wrong type', envelope(t.messageType, { [t.idField]: 'seven' })],
    ['payload null', envelope(t.messageType, null)],
    ['invalid UTF-8', '\u00ff\u00fe'],
  ];
}

describe('malformed AMQP messages are rejected without requeue and the consumers keep working', () => {
  let conn: amqp.ChannelModel;
  let pub: amqp.ConfirmChannel;
  let deadLetters: Tap;
  let token: string;
  let targets: Target[];
  let servicesBefore: Record<string, ServiceSnapshot>;
  const sent = new Map<string, { target: Target; what: string }>();

  before(async () => {
    const db = await openDb();
    const worker = (await db.query(`SELECT id FROM worker WHERE status = 'active' AND worker_role = 'action' ORDER BY id DESC LIMIT 1`)).rows[0];
    await db.end();
    assert.ok(worker, 'no active worker registered');
    targets = [
      { exchange: 'attune.executions', routingKey: 'execution.requested', queue: 'attune.execution.requests.queue', idField: 'execution_id', messageType: 'ExecutionRequested' },
      { exchange: 'attune.events', routingKey: 'event.created', queue: 'attune.executor.events.queue', idField: 'event_id', messageType: 'EventCreated' },
      {
        exchange: 'attune.executions', routingKey: `execution.dispatch.worker.${worker.id}`, queue: `worker.${worker.id}.executions`,
        idField: 'execution_id', messageType: 'ExecutionRequested',
      },
    ];
    conn = await connect();
    pub = await conn.createConfirmChannel();
    deadLetters = await tap(conn, [{ exchange: 'attune.dlx', keys: targets.map((t) => t.routingKey) }]);
    token = (await login()).access_token;
    servicesBefore = await services();
  });

  after(async () => {
    await deadLetters?.close();
    await closeConnection(conn);
  });

  test('every malformed message is dead-lettered once, as rejected, from the queue it was routed to', async () => {
    for (const t of targets) {
      for (const [what, body] of malformedBodies(t)) {
        const messageId = `itest-malformed-${randomUUID()}`;
        sent.set(messageId, { target: t, what });
        const content = what === 'invalid UTF-8' ? Buffer.from([0xff, 0xfe, 0x7b]) : Buffer.from(body, 'utf8');
        pub.publish(t.exchange, t.routingKey, content, { persistent: true, contentType: 'application/json', messageId });
      }
    }
    await within(15_000, () => `publisher confirms of ${sent.size} messages${blockedNote()}`, pub.waitForConfirms());

    const ours = () => deadLetters.messages.filter((m) => m.properties.messageId && sent.has(String(m.properties.messageId)));
    // the count is taken when the wait ends (a message built before waiting reports the count at its start)
    await waitFor(() => new Set(ours().map((m) => m.properties.messageId)).size === sent.size, {
      what: `${sent.size} dead letters`,
      timeoutMs: 20_000,
    }).catch((err: Error) => {
      const arrived = new Set(ours().map((m) => String(m.properties.messageId)));
      const missing = [...sent].filter(([id]) => !arrived.has(id)).map(([, m]) => `${m.target.queue} / ${m.what}`);
      throw new Error(`${err.message}: ${arrived.size} arrived, missing ${missing.join(', ')}${blockedNote()}`);
    });
    for (const m of ours()) {
      const { target, what } = sent.get(String(m.properties.messageId))!;
      const death = (m.properties.headers?.['x-death'] as Array<Record<string, unknown>> | undefined)?.[0];
      assert.ok(death, `${target.queue} / ${what}: no x-death header`);
      assert.equal(death.reason, 'rejected', `${target.queue} / ${what}: dead-lettered for ${String(death.reason)}`);
      assert.equal(death.queue, target.queue, `${what}: dead-lettered from ${String(death.queue)}`);
      assert.equal(Number(death.count), 1, `${target.queue} / ${what}: rejected ${String(death.count)} times`);
      assert.equal(m.routingKey, target.routingKey);
    }
  });

  test('the queues drain to 0 and keep their consumer', async () => {
    const ch = await conn.createChannel();
    try {
      for (const t of targets) {
        const q = await waitFor(async () => {
          const info = await ch.checkQueue(t.queue);
          return info.messageCount === 0 ? info : undefined;
        }, { what: `${t.queue} to drain` });
        assert.ok(q.consumerCount >= 1, `${t.queue} lost its consumer`);
      }
    } finally {
      await ch.close();
    }
  });

  test('no service crashed or restarted, and the rejections were logged', async () => {
    const now = await services();
    for (const name of ['executor', 'worker']) {
      assert.equal(now[name].pid, servicesBefore[name].pid, `${name} was restarted`);
      assert.equal(now[name].restarts, 0);
      assert.ok(now[name].ready);
    }
    assert.match(readLog('executor'), /rejecting malformed message|message handler failed/);
    assert.match(readLog('worker'), /rejecting malformed dispatch/);
  });

  test('a manual execution afterwards completes, and no dead letter came twice', async () => {
    const id = await execute(token, 'core.echo', { message: 'still alive' });
    const ex = await settled(token, id);
    assert.equal(ex.status, 'completed', JSON.stringify(ex));
    const ids = deadLetters.messages.map((m) => String(m.properties.messageId)).filter((id) => sent.has(id));
    assert.equal(ids.length, sent.size, 'a rejected message was delivered to the dead-letter exchange more than once');
  });
});
