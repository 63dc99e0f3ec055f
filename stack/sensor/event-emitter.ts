/**
 * Emits timer events through the API: `POST /api/v1/events` with the sensor token and
 * `trigger_instance_id: "rule_<id>"`, so the event is bound to the rule that owns the timer.
 */
import type { Logger } from '../common/log';
import type { SensorTokenSource } from './sensor-token';

const TOKEN_WAIT_MS = 15_000;
const MAX_ATTEMPTS = 3;

export interface EmitRequest {
  triggerRef: string;
  ruleId: number;
  payload: Record<string, unknown>;
}

export function eventBody(req: EmitRequest): Record<string, unknown> {
  return { trigger_ref: req.triggerRef, payload: req.payload, trigger_instance_id: `rule_${req.ruleId}` };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export class ApiEventEmitter {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: SensorTokenSource,
    private readonly log: Logger,
  ) {}

  /** Posts one event; returns the created event id, or undefined when it could not be delivered (logged). */
  async emit(req: EmitRequest): Promise<number | undefined> {
    const body = JSON.stringify(eventBody(req));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let token: string;
      try {
        token = await withTimeout(this.tokens.get(), TOKEN_WAIT_MS, 'waiting for a sensor token');
      } catch (err) {
        this.log.error({ rule_id: req.ruleId, trigger_ref: req.triggerRef, err: (err as Error).message }, 'no sensor token; timer event dropped');
        return undefined;
      }
      const started = Date.now();
      try {
        const res = await fetch(`${this.baseUrl}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) {
          let id: number | undefined;
          try {
            id = (JSON.parse(text) as { data?: { id?: number } }).data?.id;
          } catch {
            /* tolerate an unexpected body */
          }
          this.log.debug({ rule_id: req.ruleId, trigger_ref: req.triggerRef, event_id: id, post_ms: Date.now() - started }, 'timer event emitted');
          return id;
        }
        if (res.status === 401) {
          this.tokens.invalidate(token);
          this.log.warn({ rule_id: req.ruleId, attempt }, 'API refused the sensor token; fetching a new one');
          continue;
        }
        if (res.status >= 500 && attempt < MAX_ATTEMPTS) {
          this.log.warn({ rule_id: req.ruleId, status: res.status, body: text.slice(0, 300), attempt }, 'event POST failed; retrying');
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        this.log.error({ rule_id: req.ruleId, trigger_ref: req.triggerRef, status: res.status, body: text.slice(0, 500) }, 'API rejected the timer event');
        return undefined;
      } catch (err) {
        if (attempt < MAX_ATTEMPTS) {
          this.log.warn({ rule_id: req.ruleId, err: (err as Error).message, attempt }, 'event POST failed; retrying');
          await new Promise((r) => setTimeout(r, 250 * attempt));
          continue;
        }
        this.log.error({ rule_id: req.ruleId, trigger_ref: req.triggerRef, err: (err as Error).message }, 'timer event could not be delivered');
      }
    }
    return undefined;
  }
}
