import amqp from 'amqplib';
import { config } from './config';
import { Envelope, EnvelopeError, makeEnvelope, parseEnvelope } from './envelope';
import type { Logger } from './log';
import { EXCHANGES, MESSAGE_ROUTES, MessageType, QueueSpec } from './models';

export type MessageHandler = (env: Envelope, raw: amqp.ConsumeMessage) => Promise<void>;

/**
 * One AMQP connection per service: a confirm channel for publishing and one channel per consumer.
 * A lost connection ends the process (the supervisor restarts it): state lives in PostgreSQL.
 */
export class Mq {
  private constructor(
    private readonly conn: amqp.ChannelModel,
    private readonly pub: amqp.ConfirmChannel,
    private readonly log: Logger,
    private readonly source: string,
  ) {}

  static async connect(source: string, log: Logger, url = config().message_queue.url): Promise<Mq> {
    // noDelay: without it Nagle + delayed ACK hold an ack-then-publish for ~40 ms per hop.
    const conn = await amqp.connect(url, { noDelay: true, clientProperties: { connection_name: `attune-${source}` } });
    let closing = false;
    conn.on('error', (err) => log.error({ err }, 'AMQP connection error'));
    conn.on('close', () => {
      if (!closing) {
        log.fatal('AMQP connection closed unexpectedly; exiting so the supervisor can restart this service');
        process.exit(75);
      }
    });
    const pub = await conn.createConfirmChannel();
    const mq = new Mq(conn, pub, log, source);
    mq.markClosing = () => {
      closing = true;
    };
    await mq.declareExchanges();
    return mq;
  }

  private markClosing: () => void = () => undefined;

  async declareExchanges(): Promise<void> {
    await this.pub.assertExchange(EXCHANGES.events, 'topic', { durable: true });
    await this.pub.assertExchange(EXCHANGES.executions, 'topic', { durable: true });
    await this.pub.assertExchange(EXCHANGES.notifications, 'fanout', { durable: true });
    await this.pub.assertExchange(EXCHANGES.dlx, 'direct', { durable: true });
  }

  async declareQueue(spec: QueueSpec, extraArgs: Record<string, unknown> = {}): Promise<void> {
    const args: Record<string, unknown> = { ...extraArgs };
    if (spec.dlx) args['x-dead-letter-exchange'] = EXCHANGES.dlx;
    await this.pub.assertQueue(spec.name, { durable: true, exclusive: false, autoDelete: false, arguments: args });
    for (const key of spec.keys) await this.pub.bindQueue(spec.name, spec.exchange, key);
  }

  /** Publishes an enveloped message (persistent, confirmed) and returns the envelope. */
  async publish<P extends Record<string, unknown>>(
    type: MessageType,
    payload: P,
    opts: { routingKey?: string; exchange?: string; correlationId?: string } = {},
  ): Promise<Envelope<P>> {
    const env = makeEnvelope(type, payload, { correlationId: opts.correlationId, source: this.source });
    const route = MESSAGE_ROUTES[type];
    const body = Buffer.from(JSON.stringify(env));
    await new Promise<void>((resolve, reject) => {
      this.pub.publish(
        opts.exchange ?? route.exchange,
        opts.routingKey ?? route.routingKey,
        body,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: env.message_id,
          correlationId: env.correlation_id,
          timestamp: Math.floor(Date.now() / 1000),
          type,
        },
        (err) => (err ? reject(err) : resolve()),
      );
    });
    return env;
  }

  /**
   * Consumes a queue with manual acks. Malformed bodies are rejected without requeue and logged;
   * a handler error is logged and the message dropped (no requeue loop); the consumer keeps going.
   */
  async consume(queue: string, handler: MessageHandler, prefetch = 10): Promise<void> {
    const ch = await this.conn.createChannel();
    await ch.prefetch(prefetch);
    await ch.consume(queue, async (msg) => {
      if (!msg) return;
      let env: Envelope;
      try {
        env = parseEnvelope(msg.content);
      } catch (err) {
        this.log.warn({ queue, err: (err as Error).message, body: msg.content.toString('utf8').slice(0, 500) }, 'rejecting malformed message');
        ch.nack(msg, false, false);
        return;
      }
      try {
        await handler(env, msg);
        ch.ack(msg);
      } catch (err) {
        const level = err instanceof EnvelopeError ? 'warn' : 'error';
        this.log[level]({ queue, message_type: env.message_type, message_id: env.message_id, err }, 'message handler failed; message dropped');
        ch.nack(msg, false, false);
      }
    });
  }

  /** A channel for callers that need raw access (e.g. per-worker queues with custom arguments). */
  async channel(): Promise<amqp.Channel> {
    return this.conn.createChannel();
  }

  get publisher(): amqp.ConfirmChannel {
    return this.pub;
  }

  async close(): Promise<void> {
    this.markClosing();
    await this.conn.close().catch(() => undefined);
  }
}
