/**
 * A tap on Attune's RabbitMQ topology, for `@requires-queue` scenarios. It binds its OWN exclusive, auto-delete,
 * server-named queue to `attune.events` and `attune.executions` with `#`, so it sees copies of the traffic and never
 * takes a message away from a platform consumer.
 */
import * as amqp from 'amqplib';
import { noteMessageType } from './coverage';
import { target } from './target';

export interface TappedMessage {
  receivedAt: number;
  exchange: string;
  routingKey: string;
  envelope: {
    message_id?: string;
    correlation_id?: string;
    message_type?: string;
    timestamp?: string;
    headers?: Record<string, unknown>;
    payload?: Record<string, unknown>;
    [key: string]: unknown;
  };
  unparsable?: string;
}

export const TAPPED_EXCHANGES = ['attune.events', 'attune.executions'] as const;

export class QueueTap {
  readonly messages: TappedMessage[] = [];

  private constructor(
    private readonly connection: amqp.ChannelModel,
    private readonly channel: amqp.Channel,
    readonly queue: string,
  ) {}

  static async open(url = target().amqpUrl): Promise<QueueTap> {
    const connection = await amqp.connect(url);
    connection.on('error', () => undefined);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      const tap = new QueueTap(connection, channel, queue);
      for (const exchange of TAPPED_EXCHANGES) await channel.bindQueue(queue, exchange, '#');
      await channel.consume(
        queue,
        (message) => {
          if (!message) return;
          const text = message.content.toString('utf8');
          const entry: TappedMessage = {
            receivedAt: Date.now(),
            exchange: message.fields.exchange,
            routingKey: message.fields.routingKey,
            envelope: {},
          };
          try {
            entry.envelope = JSON.parse(text) as TappedMessage['envelope'];
            noteMessageType(entry.envelope.message_type);
          } catch {
            entry.unparsable = text.slice(0, 500);
          }
          tap.messages.push(entry);
        },
        { noAck: true },
      );
      return tap;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  ofType(messageType: string): TappedMessage[] {
    return this.messages.filter((m) => m.envelope.message_type === messageType);
  }

  withRoutingKey(routingKey: string): TappedMessage[] {
    return this.messages.filter((m) => m.routingKey === routingKey);
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

/** Message count and consumer count of a named queue (passive check; a missing queue is an error). */
export async function queueStats(name: string, url = target().amqpUrl): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
  const connection = await amqp.connect(url);
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await channel.checkQueue(name);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Capability probe: the broker answers and Attune's event exchange exists. */
export async function probeQueue(url = target().amqpUrl): Promise<void> {
  const connection = await amqp.connect(url, { timeout: 3000 });
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await channel.checkExchange('attune.events');
  } finally {
    await connection.close().catch(() => undefined);
  }
}
