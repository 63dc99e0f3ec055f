import amqp from 'amqplib';
import { config } from './config';
import { Envelope, EnvelopeError, makeEnvelope, parseEnvelope } from './envelope';
import type { Logger } from './log';
import { EXCHANGES, MESSAGE_ROUTES, MessageType, QueueSpec } from './models';

export type MessageHandler = (env: Envelope, raw: amqp.ConsumeMessage) => Promise<void>;

/** How long a clean close may wait for the broker before the socket is simply dropped. */
const CLOSE_TIMEOUT_MS = 5_000;

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
    // A resource alarm makes the broker stop reading this connection: confirms, acks and nacks then wait (every
    // publish and every handler that publishes stalls) until it clears. Say so, or a stall looks like a hang.
    conn.on('blocked', (reason: unknown) => log.warn({ reason: String(reason) }, 'AMQP connection blocked by the broker; publishing stalls until it unblocks'));
    conn.on('unblocked', () => log.info('AMQP connection unblocked'));
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
  /** consumer channels with their consumer tags, and the handlers running now (see stopConsuming) */
  private readonly consumers: Array<{ ch: amqp.Channel; tag: string }> = [];
  private readonly inflight = new Set<Promise<void>>();

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
    // a channel error (e.g. an ack for a delivery the broker no longer knows) is logged; the connection's own close
    // handler decides what happens to the process
    ch.on('error', (err) => this.log.error({ err, queue }, 'AMQP consumer channel error'));
    await ch.prefetch(prefetch);
    const { consumerTag } = await ch.consume(queue, (msg) => {
      if (!msg) return;
      const run = this.handle(queue, ch, msg, handler);
      this.inflight.add(run);
      void run.finally(() => this.inflight.delete(run));
    });
    this.consumers.push({ ch, tag: consumerTag });
  }

  private async handle(queue: string, ch: amqp.Channel, msg: amqp.ConsumeMessage, handler: MessageHandler): Promise<void> {
    let env: Envelope;
    try {
      env = parseEnvelope(msg.content);
    } catch (err) {
      this.log.warn({ queue, err: (err as Error).message, body: msg.content.toString('utf8').slice(0, 500) }, 'rejecting malformed message');
      this.settle(ch, msg, 'nack', queue);
      return;
    }
    try {
      await handler(env, msg);
    } catch (err) {
      const level = err instanceof EnvelopeError ? 'warn' : 'error';
      this.log[level]({ queue, message_type: env.message_type, message_id: env.message_id, err }, 'message handler failed; message dropped');
      this.settle(ch, msg, 'nack', queue);
      return;
    }
    this.settle(ch, msg, 'ack', queue);
  }

  /** ack / nack-without-requeue that never throws (a closed channel: the broker redelivers the message anyway). */
  private settle(ch: amqp.Channel, msg: amqp.ConsumeMessage, how: 'ack' | 'nack', queue: string): void {
    try {
      if (how === 'ack') ch.ack(msg);
      else ch.nack(msg, false, false);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, queue, how }, 'could not settle a delivery (channel closed); the broker will redeliver it');
    }
  }

  /**
   * For a clean stop: no new deliveries (every consumer cancelled), then up to `graceMs` for the handlers already
   * running to finish (and ack). Messages prefetched but not started go back to their queue when the channel closes,
   * so a stop never leaves a message half handled. Returns false when handlers were still running at the deadline.
   */
  async stopConsuming(graceMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // bounded like close(): a broker that stopped answering must not hold the stop
    const cancelled = Promise.all(this.consumers.map(({ ch, tag }) => ch.cancel(tag).catch(() => undefined)));
    await Promise.race([cancelled, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (this.inflight.size === 0) return true;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const done = await Promise.race([Promise.all([...this.inflight]).then(() => true as const), deadline]);
    clearTimeout(timer);
    if (!done) this.log.warn({ still_running: this.inflight.size }, 'message handlers still running at shutdown');
    return done;
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
    // amqplib's close waits for the broker's CloseOk and never settles when the broker stops answering (not even
    // once the socket is gone): bounded, then the socket is dropped, so a stop never hangs on a wedged broker
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    const outcome = await Promise.race([this.conn.close().then(() => 'closed' as const, () => 'closed' as const), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.log.warn({ timeout_ms: CLOSE_TIMEOUT_MS }, 'AMQP connection did not close in time; dropping the socket');
      (this.conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }
}
