/** AMQP access to the itest vhost: a connection, a tap queue, raw publishing. */
import amqp from 'amqplib';
import { AMQP_URL } from './itest-stack';

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

export async function connect(): Promise<amqp.ChannelModel> {
  return amqp.connect(AMQP_URL);
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
      await ch.cancel(consumerTag).catch(() => undefined);
      await ch.close().catch(() => undefined);
    },
  };
}
