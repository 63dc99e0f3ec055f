/**
 * Outages of the infrastructure (PostgreSQL restarted, the broker reconnecting) as every service treats them: an
 * error that says "away for a moment" is not a verdict on the work at hand, so the work is done again once the
 * infrastructure is back, within a bound (docs/decisions.md "Broker and database outages").
 */
import type { Logger } from './log';

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 is connection exception,
 * class 53 insufficient resources (53300 too_many_connections: the server is full for a moment).
 */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03']);

/** True for an error that means the database or the broker is away for a moment, not that the request is wrong. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MqUnavailableError') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || code.startsWith('53') || TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|terminating connection|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect|is not currently accepting connections/i.test(message);
}

/**
 * Runs `work`, and again while it fails with a transient error, pausing between tries (200 ms doubling to 2 s), for
 * at most `maxMs`; any other error, or the last transient one past the bound, is thrown.
 */
export async function throughOutage<T>(what: string, log: Logger, work: () => Promise<T>, maxMs = 60_000): Promise<T> {
  const started = Date.now();
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isTransient(err) || Date.now() - started + delay > maxMs) throw err;
      if (attempt === 1) log.warn({ what, err: (err as Error).message }, 'infrastructure outage; trying again until it is back');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2_000);
    }
  }
}
