import amqp from 'amqplib';
import { config } from './config';
import { Envelope, EnvelopeError, makeEnvelope, parseEnvelope } from './envelope';
import { fault } from './faults';
import { stringifyExact } from './exact-json';
import { isTransient } from './outages';
import type { Logger } from './log';
import { EXCHANGES, MESSAGE_ROUTES, MessageType, QueueSpec } from './models';

export type MessageHandler = (env: Envelope, raw: amqp.ConsumeMessage) => Promise<void>;

/** How long a clean close may wait for the broker before the socket is simply dropped. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Reconnect backoff after a lost connection: first try at once, then doubling up to the cap. */
/** How long a publish waits for the broker's confirm before it counts as lost (a local broker confirms in ms). */
const PUBLISH_CONFIRM_TIMEOUT_MS = 15_000;
const RECONNECT_FIRST_MS = 200;
const RECONNECT_CAP_MS = 3_000;

/** How long a message whose handler met an outage waits before it goes back to its queue. */
const TRANSIENT_REQUEUE_DELAY_MS = 500;

/** The broker cannot be reached now (lost connection, reconnecting): callers may retry later. */
export class MqUnavailableError extends Error {
  override name = 'MqUnavailableError';
}


/**
 * One AMQP connection per service: a confirm channel for publishing and one channel per consumer.
 *
 * A lost connection is re-established in process (docs/decisions.md "Broker and database outages"): the service keeps
 * running, reconnects with backoff, declares its exchanges and queues again, re-opens every consumer and runs the
 * `onReconnect` hooks (raw channels of their own). Publishing waits for the connection (bounded by
 * `message_queue.publish_wait_seconds`); deliveries that were in flight are redelivered by the broker. Only an outage
 * longer than `message_queue.reconnect_give_up_seconds` ends the process (exit 75, the supervisor restarts it).
 */
export class Mq {
  private conn!: amqp.ChannelModel;
  private pub!: amqp.ConfirmChannel;
  private closing = false;
  /** resolved while connected; replaced by a pending promise while reconnecting */
  private ready: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;
  private reconnecting = false;
  /** the current connection is open (false from its loss until a new one is made) */
  private linkUp = false;
  /** what to do again after a reconnect */
  private readonly queues: Array<{ spec: QueueSpec; extraArgs: Record<string, unknown> }> = [];
  private readonly consumerSpecs: Array<{ queue: string; handler: MessageHandler; prefetch: number }> = [];
  private readonly hooks: Array<() => Promise<void>> = [];
  /** consumer channels (of the current connection) with their consumer tags, and the handlers running now */
  private readonly consumers: Array<{ ch: amqp.Channel; tag: string }> = [];
  private readonly inflight = new Set<Promise<void>>();
  /** how many times the connection was re-established (health, tests) */
  reconnects = 0;

  private constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly source: string,
  ) {}

  static async connect(source: string, log: Logger, url = config().message_queue.url): Promise<Mq> {
    const mq = new Mq(url, log, source);
    await mq.open();
    return mq;
  }

  private async open(): Promise<void> {
    // noDelay: without it Nagle + delayed ACK hold an ack-then-publish for ~40 ms per hop.
    const conn = await amqp.connect(this.url, { noDelay: true, clientProperties: { connection_name: `attune-${this.source}` } });
    conn.on('error', (err) => this.log.error({ err }, 'AMQP connection error'));
    // A resource alarm makes the broker stop reading this connection: confirms, acks and nacks then wait (every
    // publish and every handler that publishes stalls) until it clears. Say so, or a stall looks like a hang.
    conn.on('blocked', (reason: unknown) => this.log.warn({ reason: String(reason) }, 'AMQP connection blocked by the broker; publishing stalls until it unblocks'));
    conn.on('unblocked', () => this.log.info('AMQP connection unblocked'));
    conn.on('close', () => {
      if (this.closing || this.conn !== conn) return;
      this.linkUp = false;
      // fault mq-exits-on-connection-loss: the old behaviour, the process ends and only the supervisor brings it back
      if (fault('mq-exits-on-connection-loss')) {
        this.log.fatal('AMQP connection closed unexpectedly; exiting');
        process.exit(75);
      }
      void this.reconnect();
    });
    const pub = await conn.createConfirmChannel();
    pub.on('error', (err) => this.log.error({ err }, 'AMQP publish channel error'));
    this.conn = conn;
    this.pub = pub;
    this.linkUp = true;
    await this.declareExchanges();
  }

  /** Re-establishes the connection and everything declared on it; gives up (exit 75) after the configured outage. */
  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    const started = Date.now();
    const giveUpMs = (config().message_queue.reconnect_give_up_seconds ?? 300) * 1000;
    this.log.warn({ consumers: this.consumerSpecs.length }, 'AMQP connection lost; reconnecting');
    let delay = RECONNECT_FIRST_MS;
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        await this.open();
        this.consumers.length = 0; // the old connection's channels are gone with it
        for (const { spec, extraArgs } of this.queues) await this.assertQueue(spec, extraArgs);
        for (const c of this.consumerSpecs) await this.openConsumer(c.queue, c.handler, c.prefetch);
        for (const hook of this.hooks) await hook();
        this.reconnects += 1;
        this.reconnecting = false;
        this.log.info({ attempt, outage_ms: Date.now() - started }, 'AMQP connection re-established; consumers resumed');
        this.markReady();
        return;
      } catch (err) {
        if (Date.now() - started > giveUpMs) {
          this.log.fatal({ err, outage_ms: Date.now() - started }, 'AMQP broker unreachable for too long; exiting so the supervisor can restart this service');
          process.exit(75);
        }
        this.log.warn({ attempt, err: (err as Error).message, retry_in_ms: delay }, 'AMQP reconnect failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, RECONNECT_CAP_MS);
      }
    }
  }

  /** Waits (bounded) until the connection is up; throws MqUnavailableError past the bound. */
  private async connected(): Promise<void> {
    if (!this.reconnecting) return;
    const waitMs = (config().message_queue.publish_wait_seconds ?? 30) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
    const outcome = await Promise.race([this.ready.then(() => 'up' as const), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw new MqUnavailableError(`the message broker has been unreachable for more than ${waitMs / 1000} s`);
  }

  /** A raw channel of the caller's own (per-worker queues with custom arguments, consumers of its own) must be
   * opened again after a reconnect: `hook` runs once the connection, its queues and the managed consumers are back. */
  onReconnect(hook: () => Promise<void>): void {
    this.hooks.push(hook);
  }

  /** True while the connection is lost and being re-established. */
  get isReconnecting(): boolean {
    return this.reconnecting;
  }

  async declareExchanges(): Promise<void> {
    await this.pub.assertExchange(EXCHANGES.events, 'topic', { durable: true });
    await this.pub.assertExchange(EXCHANGES.executions, 'topic', { durable: true });
    await this.pub.assertExchange(EXCHANGES.notifications, 'fanout', { durable: true });
    await this.pub.assertExchange(EXCHANGES.dlx, 'direct', { durable: true });
  }

  async declareQueue(spec: QueueSpec, extraArgs: Record<string, unknown> = {}): Promise<void> {
    await this.connected();
    await this.assertQueue(spec, extraArgs);
    if (!this.queues.some((q) => q.spec.name === spec.name)) this.queues.push({ spec, extraArgs });
  }

  private async assertQueue(spec: QueueSpec, extraArgs: Record<string, unknown>): Promise<void> {
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
    const body = Buffer.from(stringifyExact(env));
    for (let attempt = 1; ; attempt++) {
      await this.connected();
      try {
        await this.publishOnce(env, type, body, opts.exchange ?? route.exchange, opts.routingKey ?? route.routingKey);
        return env;
      } catch (err) {
        // the connection went while the broker had not confirmed: publish again once it is back (the message id is
        // the same; consumers treat a repeated message as already handled)
        if (attempt >= 3 || this.closing || !(this.reconnecting || (err as Error).message?.includes('closed'))) throw err;
        this.log.warn({ message_type: type, message_id: env.message_id, err: (err as Error).message }, 'publish not confirmed (connection lost); publishing again after reconnecting');
        await new Promise((r) => setTimeout(r, RECONNECT_FIRST_MS));
      }
    }
  }

  private publishOnce(env: Envelope, type: MessageType, body: Buffer, exchange: string, routingKey: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // a confirm that never comes (its channel gone without saying so) must not hold the publisher forever: after
      // the bound it counts as lost with its channel, and publish() sends the message again
      const timer = setTimeout(() => reject(new Error(`publish not confirmed within ${PUBLISH_CONFIRM_TIMEOUT_MS} ms (channel closed?)`)), PUBLISH_CONFIRM_TIMEOUT_MS);
      timer.unref();
      const settle = (err: unknown): void => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      this.pub.publish(
        exchange,
        routingKey,
        body,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: env.message_id,
          correlationId: env.correlation_id,
          timestamp: Math.floor(Date.now() / 1000),
          type,
        },
        settle,
      );
    });
  }

  /**
   * Consumes a queue with manual acks. Malformed bodies are rejected without requeue and logged;
   * a handler error is logged and the message dropped (no requeue loop); the consumer keeps going.
   */
  async consume(queue: string, handler: MessageHandler, prefetch = 10): Promise<void> {
    await this.connected();
    await this.openConsumer(queue, handler, prefetch);
    this.consumerSpecs.push({ queue, handler, prefetch });
  }

  private async openConsumer(queue: string, handler: MessageHandler, prefetch: number): Promise<void> {
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
      if (isTransient(err) && !fault('transient-errors-drop-messages')) {
        // the database or the broker is away for a moment: the message is not wrong, so it goes back to its queue
        // (after a pause, so an outage is not a hot loop) and is handled again once they are back
        this.log.warn({ queue, message_type: env.message_type, message_id: env.message_id, err: (err as Error).message }, 'message handler hit an outage; message requeued');
        await new Promise((r) => setTimeout(r, TRANSIENT_REQUEUE_DELAY_MS));
        this.settle(ch, msg, 'requeue', queue);
        return;
      }
      const level = err instanceof EnvelopeError ? 'warn' : 'error';
      this.log[level]({ queue, message_type: env.message_type, message_id: env.message_id, err }, 'message handler failed; message dropped');
      this.settle(ch, msg, 'nack', queue);
      return;
    }
    this.settle(ch, msg, 'ack', queue);
  }

  /** ack / nack-without-requeue that never throws (a closed channel: the broker redelivers the message anyway). */
  private settle(ch: amqp.Channel, msg: amqp.ConsumeMessage, how: 'ack' | 'nack' | 'requeue', queue: string): void {
    try {
      if (how === 'ack') ch.ack(msg);
      else ch.nack(msg, false, how === 'requeue');
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
    if (!this.linkUp) throw new MqUnavailableError('the message broker connection is being re-established');
    return this.conn.createChannel();
  }

  get publisher(): amqp.ConfirmChannel {
    return this.pub;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.markReady();
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
