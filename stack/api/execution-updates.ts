/**
 * Execution updates for the API's Server-Sent Events stream (GET /api/v1/executions/stream): one LISTEN connection per
 * API process, opened when the first client subscribes, on the execution channels of the database's notify triggers.
 * Each notification about an execution (`entity_type` "execution") goes to every subscriber as the notify payload
 * itself, as Attune's API forwards it; subscribers filter by execution and by what their caller may read.
 */
import type { Logger } from '../common/log';
import { PgListener } from '../common/pg-listener';

/** The channels whose payloads are about executions (workflow parents' changes come on their own channel). */
export const EXECUTION_UPDATE_CHANNELS = ['execution_created', 'execution_status_changed', 'workflow_execution_status_changed'] as const;

export interface ExecutionUpdate {
  /** the notify payload as sent (the SSE data) */
  text: string;
  /** its parsed fields */
  fields: Record<string, unknown>;
}

export type UpdateSubscriber = (update: ExecutionUpdate) => void;

/** Parses a notify payload; only execution payloads with a numeric entity_id are updates. */
export function executionUpdateOf(payload: string | undefined): ExecutionUpdate | undefined {
  if (!payload) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return undefined;
  const f = fields as Record<string, unknown>;
  if (f.entity_type !== 'execution' || typeof f.entity_id !== 'number') return undefined;
  return { text: payload, fields: f };
}

export class ExecutionUpdateHub {
  private readonly subscribers = new Set<UpdateSubscriber>();
  private listener?: PgListener;
  private ready?: Promise<void>;

  constructor(private readonly log: Logger, private readonly url?: string) {}

  /** Adds a subscriber; resolves once the LISTEN connection is up (so no update after this is missed). */
  async subscribe(subscriber: UpdateSubscriber): Promise<() => void> {
    this.subscribers.add(subscriber);
    if (!this.listener) {
      this.listener = new PgListener(EXECUTION_UPDATE_CHANNELS, (_channel, payload) => this.dispatch(payload), this.log, this.url);
      this.ready = this.listener.start();
    }
    await this.ready;
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  private dispatch(payload: string | undefined): void {
    const update = executionUpdateOf(payload);
    if (!update) return;
    for (const subscriber of this.subscribers) {
      try {
        subscriber(update);
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : err }, 'execution update subscriber failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.subscribers.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.stop();
  }
}
