/**
 * The sensor's API credential: a sensor JWT from `POST /auth/internal/sensor-token`, fetched with
 * backoff until the API answers, and refreshed well before it expires (or at once after a 401).
 */
import type { Logger } from '../common/log';
import { TIMER_SENSOR_REF, TIMER_TRIGGERS } from '../common/models';

export const SENSOR_TOKEN_TTL_SECONDS = 86_400;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

export class SensorTokenStopped extends Error {}

/** Expiry in ms since the epoch: `expires_at` when given, else the JWT's exp, else now + ttl. */
export function tokenExpiry(token: string, expiresAt: unknown, ttlSeconds: number, nowMs = Date.now()): number {
  if (typeof expiresAt === 'string') {
    const t = Date.parse(expiresAt);
    if (!Number.isNaN(t)) return t;
  }
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof claims.exp === 'number') return claims.exp * 1000;
  } catch {
    /* not a readable JWT: fall through */
  }
  return nowMs + ttlSeconds * 1000;
}

/** When to refresh: once 80 % of the lifetime has passed, but at least a minute before expiry. */
export function refreshDelayMs(issuedMs: number, expiresMs: number, nowMs = Date.now()): number {
  const lifetime = Math.max(0, expiresMs - issuedMs);
  const at = Math.min(issuedMs + lifetime * 0.8, expiresMs - 60_000);
  return Math.max(1_000, at - nowMs);
}

export class SensorTokenSource {
  private token?: string;
  private expiresMs = 0;
  private pending?: Promise<string>;
  private refreshTimer?: NodeJS.Timeout;
  private stopped = false;
  private wake?: () => void;

  constructor(
    private readonly baseUrl: string,
    private readonly log: Logger,
    private readonly ttlSeconds = SENSOR_TOKEN_TTL_SECONDS,
  ) {}

  /** A valid token; waits (retrying) until the API hands one out. */
  get(): Promise<string> {
    if (this.token && Date.now() < this.expiresMs - 30_000) return Promise.resolve(this.token);
    return this.refresh();
  }

  /** Forget a token the API refused (401), so the next get() fetches a new one. */
  invalidate(token: string): void {
    if (this.token === token) {
      this.token = undefined;
      this.expiresMs = 0;
    }
  }

  refresh(): Promise<string> {
    this.pending ??= this.acquire().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  stop(): void {
    this.stopped = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.wake?.();
  }

  private async acquire(): Promise<string> {
    let backoff = MIN_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new SensorTokenStopped('sensor token source stopped');
      try {
        const issued = Date.now();
        const token = await this.request();
        this.token = token.token;
        this.expiresMs = tokenExpiry(token.token, token.expires_at, this.ttlSeconds, issued);
        this.scheduleRefresh(issued);
        this.log.info({ expires_at: new Date(this.expiresMs).toISOString(), attempt }, 'sensor token obtained');
        return token.token;
      } catch (err) {
        const level = attempt <= 3 ? 'debug' : 'warn';
        this.log[level]({ err: (err as Error).message, attempt, retry_in_ms: backoff }, 'sensor token request failed; retrying');
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private async request(): Promise<{ token: string; expires_at?: unknown }> {
    const res = await fetch(`${this.baseUrl}/auth/internal/sensor-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sensor_ref: TIMER_SENSOR_REF, trigger_types: [...TIMER_TRIGGERS], ttl_seconds: this.ttlSeconds }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { data?: { token?: unknown; expires_at?: unknown } };
    if (typeof body.data?.token !== 'string' || body.data.token === '') throw new Error('response carries no data.token');
    return { token: body.data.token, expires_at: body.data.expires_at };
  }

  private scheduleRefresh(issuedMs: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const delay = Math.min(refreshDelayMs(issuedMs, this.expiresMs), 2_147_483_647);
    this.refreshTimer = setTimeout(() => {
      this.refresh().catch((err) => {
        if (!(err instanceof SensorTokenStopped)) this.log.error({ err }, 'sensor token refresh failed');
      });
    }, delay);
    this.refreshTimer.unref();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
