/**
 * (d) The RabbitMQ topology of attune-internals §2.2–2.3 in the itest vhost, read with rabbitmqctl
 * and re-declared over AMQP with the same arguments (a mismatch would be a PRECONDITION_FAILED):
 * the exchanges with their types, the fixed queues with their bindings and dead-letter arguments,
 * and the worker's own queues (`worker.<id>.executions` with x-message-ttl 300000).
 *
 * Not checked: Attune's never-consumed `attune.events.queue` (`#`, only grows) and `attune.dlx.queue`
 * (bound with `#` to a direct exchange, so unroutable, §2.7), which the reference stack does not
 * declare, and the Mid-era `attune.metadata` exchange and pack-test queues it does not implement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type amqp from 'amqplib';
import { closeConnection, connect } from './lib/amqp';
import { openDb } from './lib/db';
import { listInVhost, useItestStack } from './lib/itest-stack';

useItestStack();

const EXCHANGES: Record<string, string> = {
  'attune.events': 'topic',
  'attune.executions': 'topic',
  'attune.notifications': 'fanout',
  'attune.dlx': 'direct',
};

const DLX = { 'x-dead-letter-exchange': 'attune.dlx' };

/** The fixed queues every Attune deployment has, with their exchange, binding keys and arguments. */
const FIXED_QUEUES: Array<{ name: string; exchange: string; keys: string[]; args: Record<string, unknown> }> = [
  { name: 'attune.executor.events.queue', exchange: 'attune.events', keys: ['event.created'], args: DLX },
  { name: 'attune.enforcements.queue', exchange: 'attune.executions', keys: ['enforcement.#'], args: DLX },
  { name: 'attune.execution.requests.queue', exchange: 'attune.executions', keys: ['execution.requested'], args: DLX },
  { name: 'attune.execution.status.queue', exchange: 'attune.executions', keys: ['execution.status.changed'], args: DLX },
  { name: 'attune.execution.completed.queue', exchange: 'attune.executions', keys: ['execution.completed'], args: DLX },
  { name: 'attune.inquiry.responses.queue', exchange: 'attune.executions', keys: ['inquiry.responded'], args: DLX },
  {
    name: 'attune.rules.lifecycle.queue', exchange: 'attune.events',
    keys: ['pack.deleted', 'pack.registered', 'rule.created', 'rule.deleted', 'rule.disabled', 'rule.enabled'], args: {},
  },
];

type Row = Record<string, unknown>;
/** rabbitmqctl's JSON arguments are [name, type, value] triples. */
const argsOf = (row: Row): Record<string, unknown> =>
  Object.fromEntries(((row.arguments as unknown[][] | undefined) ?? []).map((a) => [String(a[0]), a[2]]));

describe('RabbitMQ topology (attune-internals §2.2–2.3)', () => {
  let exchanges: Row[];
  let queues: Row[];
  let bindings: Row[];
  let workerId: number;
  let conn: amqp.ChannelModel;

  before(async () => {
    exchanges = await listInVhost('exchanges', ['name', 'type', 'durable', 'auto_delete', 'internal']);
    queues = await listInVhost('queues', ['name', 'durable', 'auto_delete', 'exclusive', 'arguments']);
    bindings = await listInVhost('bindings', ['source_name', 'destination_name', 'destination_kind', 'routing_key']);
    const db = await openDb();
    workerId = Number((await db.query(`SELECT id FROM worker WHERE status = 'active' AND worker_role = 'action' ORDER BY id DESC LIMIT 1`)).rows[0]?.id);
    await db.end();
    conn = await connect();
  });
  after(async () => {
    await closeConnection(conn);
  });

  const keysOf = (queue: string, exchange: string) =>
    bindings
      .filter((b) => b.destination_name === queue && b.destination_kind === 'queue' && b.source_name === exchange)
      .map((b) => String(b.routing_key))
      .sort();
  const queue = (name: string) => queues.find((q) => q.name === name);

  /** Re-declares over AMQP on a throw-away channel; a different definition closes it with 406. */
  async function redeclare(fn: (ch: amqp.Channel) => Promise<unknown>): Promise<void> {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  test('the four exchanges exist with their types, durable, not auto-delete, not internal', async () => {
    for (const [name, type] of Object.entries(EXCHANGES)) {
      const x = exchanges.find((e) => e.name === name);
      assert.ok(x, `exchange ${name} is missing`);
      assert.deepEqual(
        { type: x.type, durable: x.durable, auto_delete: x.auto_delete, internal: x.internal },
        { type, durable: true, auto_delete: false, internal: false },
        `exchange ${name}`,
      );
      await redeclare((ch) => ch.assertExchange(name, type, { durable: true, autoDelete: false, internal: false }));
    }
  });

  for (const spec of FIXED_QUEUES) {
    test(`${spec.name}: durable, shared, bound to ${spec.exchange} with ${spec.keys.join(', ')}`, async () => {
      const q = queue(spec.name);
      assert.ok(q, `queue ${spec.name} is missing; queues: ${queues.map((x) => x.name).join(', ')}`);
      assert.deepEqual({ durable: q.durable, auto_delete: q.auto_delete, exclusive: q.exclusive }, { durable: true, auto_delete: false, exclusive: false });
      assert.deepEqual(argsOf(q), spec.args);
      assert.deepEqual(keysOf(spec.name, spec.exchange), [...spec.keys].sort());
      const elsewhere = bindings.filter((b) => b.destination_name === spec.name && b.source_name !== '' && b.source_name !== spec.exchange);
      assert.deepEqual(elsewhere, [], `${spec.name} is also bound elsewhere`);
      await redeclare((ch) => ch.assertQueue(spec.name, { durable: true, exclusive: false, autoDelete: false, arguments: spec.args }));
    });
  }

  test('worker.<id>.executions: x-message-ttl 300000, dead letters to attune.dlx, bound to execution.dispatch.worker.<id>', async () => {
    assert.ok(Number.isInteger(workerId) && workerId > 0, 'no active worker in the database');
    const name = `worker.${workerId}.executions`;
    const q = queue(name);
    assert.ok(q, `queue ${name} is missing; queues: ${queues.map((x) => x.name).join(', ')}`);
    assert.deepEqual({ durable: q.durable, auto_delete: q.auto_delete, exclusive: q.exclusive }, { durable: true, auto_delete: false, exclusive: false });
    assert.deepEqual(argsOf(q), { 'x-message-ttl': 300000, 'x-dead-letter-exchange': 'attune.dlx' });
    assert.deepEqual(keysOf(name, 'attune.executions'), [`execution.dispatch.worker.${workerId}`]);
    await redeclare((ch) => ch.assertQueue(name, { durable: true, arguments: { 'x-message-ttl': 300000, 'x-dead-letter-exchange': 'attune.dlx' } }));
  });

  test('worker.<id>.cancel is bound to execution.cancel.worker.<id>', () => {
    const name = `worker.${workerId}.cancel`;
    assert.ok(queue(name), `queue ${name} is missing`);
    assert.deepEqual(keysOf(name, 'attune.executions'), [`execution.cancel.worker.${workerId}`]);
  });

  test('no queue is bound to the exchanges beyond the table (plus per-worker queues)', () => {
    const known = new Set([...FIXED_QUEUES.map((q) => q.name), `worker.${workerId}.executions`, `worker.${workerId}.cancel`]);
    const extra = bindings
      .filter((b) => String(b.source_name).startsWith('attune.') && !known.has(String(b.destination_name)))
      .map((b) => `${String(b.source_name)} → ${String(b.destination_name)} (${String(b.routing_key)})`);
    assert.deepEqual(extra, []);
  });
});
