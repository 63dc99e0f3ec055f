/**
 * Read-only access to Attune's system of record (PostgreSQL, schema `attune`), for `@requires-database` scenarios.
 * One pool per worker process, opened on first use and closed in AfterAll. Every session is read-only.
 */
import { Pool, type QueryResultRow } from 'pg';
import { noteTablesOf } from './coverage';
import { target } from './target';
import { timeouts } from './timeouts';

let pool: Pool | undefined;

export function database(): Pool {
  if (pool) return pool;
  pool = new Pool({
    connectionString: target().dbUrl,
    max: 3,
    connectionTimeoutMillis: timeouts.probe,
    idleTimeoutMillis: 10_000,
    // the suite never writes: make that a property of the session, not a promise of the code
    options: '-c default_transaction_read_only=on',
    application_name: 'attune-acceptance',
  });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead of crashing the worker
  return pool;
}

export async function closeDatabase(): Promise<void> {
  const current = pool;
  pool = undefined;
  if (current) await current.end();
}

async function rows<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  noteTablesOf(sql);
  const result = await database().query<T>(sql, params);
  return result.rows;
}

export interface EventRow {
  id: string;
  trigger_ref: string;
  rule: string | null;
  rule_ref: string | null;
  payload: unknown;
  created: Date;
}

export interface EnforcementRow {
  id: string;
  rule: string | null;
  rule_ref: string;
  event: string | null;
  status: string;
  config: unknown;
  created: Date;
  resolved_at: Date | null;
}

export interface ExecutionRow {
  id: string;
  action_ref: string;
  enforcement: string | null;
  status: string;
  result: unknown;
  created: Date;
  updated: Date;
}

export interface KeyAtRestRow {
  ref: string;
  encrypted: boolean;
  encryption_key_hash: string | null;
  value: unknown;
  value_text: string;
}

export const db = {
  /** probe used by capability detection */
  async ping(): Promise<void> {
    await rows('select 1 from attune.execution limit 1');
  },
  eventsOfRule(ruleRef: string): Promise<EventRow[]> {
    return rows<EventRow>(
      'select id, trigger_ref, rule, rule_ref, payload, created from attune.event where rule_ref = $1 order by created, id',
      [ruleRef],
    );
  },
  enforcementsOfRule(ruleRef: string): Promise<EnforcementRow[]> {
    return rows<EnforcementRow>(
      'select id, rule, rule_ref, event, status, config, created, resolved_at from attune.enforcement where rule_ref = $1 order by created, id',
      [ruleRef],
    );
  },
  enforcementsOfEvent(eventId: number): Promise<EnforcementRow[]> {
    return rows<EnforcementRow>(
      'select id, rule, rule_ref, event, status, config, created, resolved_at from attune.enforcement where event = $1 order by created, id',
      [eventId],
    );
  },
  executionsOfEnforcement(enforcementId: number): Promise<ExecutionRow[]> {
    return rows<ExecutionRow>(
      'select id, action_ref, enforcement, status, result, created, updated from attune.execution where enforcement = $1 order by created, id',
      [enforcementId],
    );
  },
  queueStatsOfAction(actionRef: string): Promise<QueryResultRow[]> {
    return rows(
      'select q.* from attune.queue_stats q join attune.action a on a.id = q.action_id where a.ref = $1',
      [actionRef],
    );
  },
  keyCiphertext(ref: string): Promise<Array<{ ref: string; encrypted: boolean; value: unknown }>> {
    return rows('select ref, encrypted, value from attune.key where ref = $1', [ref]);
  },
  /** A key as it is kept at rest: the stored value (parsed jsonb and its exact text) and the encryption bookkeeping. */
  keyAtRest(ref: string): Promise<KeyAtRestRow[]> {
    return rows<KeyAtRestRow>(
      'select ref, encrypted, encryption_key_hash, value, value::text as value_text from attune.key where ref = $1',
      [ref],
    );
  },
  workers(): Promise<QueryResultRow[]> {
    return rows(
      'select id, name, worker_type, worker_role, status, last_heartbeat from attune.worker order by id',
    );
  },
  /** Every worker row the target has (active or not), with what it reports: name, status, capacity. */
  workerRows(): Promise<Array<{ id: number; name: string; status: string | null; capabilities: Record<string, unknown> }>> {
    return rows(`select id, name, status::text as status, coalesce(capabilities, '{}'::jsonb) as capabilities from attune.worker order by id`);
  },
  /** Active workers with a heartbeat the scheduler would still accept (90 s, internals §4.1) and what they report. */
  activeWorkerCapabilities(): Promise<Array<{ name: string; capabilities: Record<string, unknown> }>> {
    return rows(
      `select name, coalesce(capabilities, '{}'::jsonb) as capabilities from attune.worker
        where status = 'active' and worker_role = 'action' and last_heartbeat > now() - interval '90 seconds' order by id`,
    );
  },

  /** The sensor services registered as active workers (role sensor, recent heartbeat) and what they offer. */
  activeSensorServices(): Promise<Array<{ name: string; capabilities: Record<string, unknown> }>> {
    return rows(
      `select name, coalesce(capabilities, '{}'::jsonb) as capabilities from attune.worker
        where status = 'active' and worker_role = 'sensor' and last_heartbeat > now() - interval '90 seconds' order by id`,
    );
  },
};
