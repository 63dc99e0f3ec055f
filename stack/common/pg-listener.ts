/**
 * A dedicated PostgreSQL connection (not the pool) that LISTENs on every notifier channel in one
 * round trip. On error or end it reconnects with backoff and LISTENs again; a periodic probe
 * notices connections that died silently.
 */
import pg from 'pg';
import { config } from './config';
import type { Logger } from './log';

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
const PROBE_INTERVAL_MS = 30_000;

export type NotificationHandler = (channel: string, payload: string | undefined, receivedAt: Date) => void;

export function listenSql(channels: readonly string[]): string {
  return channels.map((c) => `LISTEN "${c.replace(/"/g, '""')}"`).join('; ');
}

export class PgListener {
  private client?: pg.Client;
  private stopped = false;
  private backoff = MIN_BACKOFF_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  private firstListen?: { resolve: () => void };
  private connecting = false;

  constructor(
    private readonly channels: readonly string[],
    private readonly onNotification: NotificationHandler,
    private readonly log: Logger,
    private readonly url = config().database.url,
  ) {}

  /** Resolves once the first LISTEN succeeded (retrying meanwhile). */
  start(): Promise<void> {
    const ready = new Promise<void>((resolve) => {
      this.firstListen = { resolve };
    });
    void this.connect();
    this.probeTimer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
    return ready;
  }

  get connected(): boolean {
    return this.client !== undefined && !this.connecting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.url, application_name: 'attune:notifier:listener', keepAlive: true });
    let failed = false;
    const fail = (why: string, err?: unknown) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: err instanceof Error ? err.message : err, retry_in_ms: this.backoff }, `LISTEN connection ${why}; reconnecting`);
      this.scheduleReconnect();
    };
    client.on('error', (err) => fail('failed', err));
    client.on('end', () => fail('ended'));
    client.on('notification', (msg) => {
      const receivedAt = new Date();
      try {
        this.onNotification(msg.channel, msg.payload, receivedAt);
      } catch (err) {
        this.log.error({ err, channel: msg.channel }, 'notification handler failed');
      }
    });
    try {
      await client.connect();
      await client.query(listenSql(this.channels));
    } catch (err) {
      this.connecting = false;
      fail('could not be opened', err);
      return;
    }
    if (this.stopped || failed) {
      client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connecting = false;
    this.backoff = MIN_BACKOFF_MS;
    this.log.info({ channels: this.channels.length }, 'listening for notifications');
    this.firstListen?.resolve();
    this.firstListen = undefined;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delay);
  }

  private probe(): void {
    const c = this.client;
    if (!c || this.stopped) return;
    c.query('SELECT 1').catch((err) => {
      if (this.client === c) c.emit('error', err);
    });
  }
}
