/** AMQP access to the itest vhost: a connection, a tap queue, raw publishing. */
import amqp from 'amqplib';
import { AMQP_URL } from './itest-stack';
import { within } from './wait';

export interface Tapped {
  exchange: string;
  routingKey: string;
  properties: amqp.MessageProperties;
  body: string;
  receivedAt: number;
}

export interface Tap {
  messages: Tapped[];
  close(): Promise<void>;
}

/**
 * Times the broker blocked one of the tests' connections (a resource alarm: it then stops reading
 * them, so publisher confirms, acks and even a clean close wait until the alarm clears).
 */
export const brokerBlocks: Array<{ at: string; reason: string }> = [];

export async function connect(): Promise<amqp.ChannelModel> {
  const conn = await amqp.connect(AMQP_URL);
  conn.on('blocked', (reason: string) => brokerBlocks.push({ at: new Date().toISOString(), reason: String(reason) }));
  conn.on('error', () => undefined); // reported by the operation that fails; an unhandled 'error' would end the test process
  return conn;
}

/** " (the broker blocked the connection at …: <reason>)" when it did, for failure messages. */
export function blockedNote(): string {
  return brokerBlocks.length ? ` (the broker blocked the tests' AMQP connection: ${brokerBlocks.map((b) => `${b.at} ${b.reason}`).join('; ')})` : '';
}

/**
 * Closes a connection without ever hanging the run: a clean close waits for the broker's CloseOk,
 * which never comes from a blocked or wedged broker, so after `ms` the socket is simply destroyed.
 */
export async function closeConnection(conn: amqp.ChannelModel | undefined, ms = 5_000): Promise<void> {
  if (!conn) return;
  await within(ms, 'closing the AMQP connection', conn.close()).catch(() => {
    (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  });
}

/**
 * A server-named, exclusive, auto-delete queue bound to each exchange with each key; every message
 * that reaches it is recorded (and acked).
 */
export async function tap(conn: amqp.ChannelModel, bindings: Array<{ exchange: string; keys: string[] }>): Promise<Tap> {
  const ch = await conn.createChannel();
  const q = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  for (const b of bindings) for (const key of b.keys) await ch.bindQueue(q.queue, b.exchange, key);
  const messages: Tapped[] = [];
  const { consumerTag } = await ch.consume(q.queue, (msg) => {
    if (!msg) return;
    messages.push({
      exchange: msg.fields.exchange,
      routingKey: msg.fields.routingKey,
      properties: msg.properties,
      body: msg.content.toString('utf8'),
      receivedAt: Date.now(),
    });
    ch.ack(msg);
  });
  return {
    messages,
    async close() {
      // bounded: cancel and close are round trips a wedged broker never answers
      await within(5_000, 'cancelling the tap', Promise.resolve().then(() => ch.cancel(consumerTag))).catch(() => undefined);
      await within(5_000, 'closing the tap channel', Promise.resolve().then(() => ch.close())).catch(() => undefined);
    },
  };
}
