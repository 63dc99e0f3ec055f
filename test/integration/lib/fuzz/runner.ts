/**
 * Runs the fuzz: one fast-check property per operation (its own seed derived from the run's seed,
 * so any operation can be replayed alone), a few operations at a time. Every answer is judged
 * (never 5xx; every 4xx a JSON body with an error message; bad credentials never accepted) and
 * counted; 2xx answers of creating routes record the id they created.
 */
import fc from 'fast-check';
import { abbreviate } from './mutate';
import type { OpContext, FuzzRequest, Credentials } from './requests';
import { requestsFor } from './requests';
import { ClientSideRefusal, send, type WireAnswer } from './transport';

export interface OpStats {
  sent: number;
  notSent: number;
  byClass: Record<string, number>;
  byVariant: Record<string, number>;
  ms: number;
}

export interface Failure {
  op: string;
  seed: number;
  path?: string;
  problem: string;
  counterexample?: FuzzRequest;
  shrinks: number;
}

/** Which table a 2xx answer of a creating route added a row to, and the row's id. */
export const CREATES: Record<string, { table: string; id: (data: Record<string, unknown>) => unknown }> = {
  'POST /auth/register': { table: 'identity', id: (d) => (d.user as Record<string, unknown> | undefined)?.id },
  'POST /auth/sensor-token': { table: 'identity', id: (d) => d.identity_id },
  'POST /auth/internal/sensor-token': { table: 'identity', id: (d) => d.identity_id },
  'POST /api/v1/identities': { table: 'identity', id: (d) => d.id },
  'POST /api/v1/packs': { table: 'pack', id: (d) => d.id },
  'POST /api/v1/packs/register': { table: 'pack', id: (d) => (d.pack as Record<string, unknown> | undefined)?.id },
  'POST /api/v1/packs/upload': { table: 'pack', id: (d) => (d.pack as Record<string, unknown> | undefined)?.id },
  'POST /api/v1/actions': { table: 'action', id: (d) => d.id },
  'POST /api/v1/workflows': { table: 'workflow_definition', id: (d) => d.id },
  'POST /api/v1/packs/{pack_ref}/workflow-files': { table: 'workflow_definition', id: (d) => d.id },
  'POST /api/v1/triggers': { table: 'trigger', id: (d) => d.id },
  'POST /api/v1/rules': { table: 'rule', id: (d) => d.id },
  'POST /api/v1/events': { table: 'event', id: (d) => d.id },
  'POST /api/v1/webhooks/{webhook_key}': { table: 'event', id: (d) => d.event_id },
  'POST /api/v1/executions/execute': { table: 'execution', id: (d) => d.id },
  'POST /api/v1/keys': { table: 'key', id: (d) => d.id },
  'POST /api/v1/identities/{id}/roles': { table: 'identity_role_assignment', id: (d) => d.id },
  'POST /api/v1/permissions/sets/{id}/roles': { table: 'permission_set_role_assignment', id: (d) => d.id },
  'POST /api/v1/permissions/assignments': { table: 'permission_assignment', id: (d) => d.id },
  'POST /api/v1/inquiries': { table: 'inquiry', id: (d) => d.id },
  'POST /api/v1/sensors': { table: 'sensor', id: (d) => d.id },
};

/** Tables a 2xx answer of a deleting route removed one row from (a workflow takes its companion action along). */
export const DELETES: Record<string, string[]> = {
  'DELETE /api/v1/packs/{ref}': ['pack'],
  'DELETE /api/v1/actions/{ref}': ['action'],
  'DELETE /api/v1/triggers/{ref}': ['trigger'],
  'DELETE /api/v1/rules/{ref}': ['rule'],
  'DELETE /api/v1/keys/{ref}': ['key'],
  'DELETE /api/v1/identities/{id}': ['identity'],
  'DELETE /api/v1/identities/roles/{id}': ['identity_role_assignment'],
  'DELETE /api/v1/permissions/sets/roles/{id}': ['permission_set_role_assignment'],
  'DELETE /api/v1/permissions/assignments/{id}': ['permission_assignment'],
  'DELETE /api/v1/workflows/{ref}': ['workflow_definition', 'action'],
  'DELETE /api/v1/inquiries/{id}': ['inquiry'],
  'DELETE /api/v1/sensors/{ref}': ['sensor'],
};

export class Ledger {
  readonly ops = new Map<string, OpStats>();
  /** table → ids created by 2xx answers */
  readonly created = new Map<string, Set<number>>();
  /** operation → ids its 2xx answers created */
  readonly createdBy = new Map<string, Set<number>>();
  /** table → rows removed by 2xx deletes */
  readonly deleted = new Map<string, number>();
  /** Answers of fixed regression cases are judged but not counted as fuzz traffic. */
  total = 0;

  stats(op: string): OpStats {
    let s = this.ops.get(op);
    if (!s) {
      s = { sent: 0, notSent: 0, byClass: {}, byVariant: {}, ms: 0 };
      this.ops.set(op, s);
    }
    return s;
  }

  record(r: FuzzRequest, a: WireAnswer): void {
    const s = this.stats(r.op);
    s.sent++;
    this.total++;
    s.ms += a.ms;
    const cls = `${Math.floor(a.status / 100)}xx`;
    s.byClass[cls] = (s.byClass[cls] ?? 0) + 1;
    s.byVariant[r.variant] = (s.byVariant[r.variant] ?? 0) + 1;
    if (a.status < 200 || a.status > 299) return;
    const create = CREATES[r.op];
    const data = (a.json as { data?: Record<string, unknown> } | undefined)?.data;
    if (create && data) {
      const id = Number(create.id(data));
      if (Number.isSafeInteger(id)) {
        const set = this.created.get(create.table) ?? new Set<number>();
        set.add(id);
        this.created.set(create.table, set);
        const byOp = this.createdBy.get(r.op) ?? new Set<number>();
        byOp.add(id);
        this.createdBy.set(r.op, byOp);
      }
    }
    for (const table of DELETES[r.op] ?? []) this.deleted.set(table, (this.deleted.get(table) ?? 0) + 1);
  }
}

/** Why an answer breaks the contract, or null. */
export function judge(r: FuzzRequest, a: WireAnswer): string | null {
  const shown = `HTTP ${a.status} ${a.contentType} ${abbreviate(a.text, 300)}`;
  // an identity provider that is not configured is answered 501 with a JSON error, as Attune answers it (docs/decisions.md)
  const notConfigured = r.op === 'POST /auth/ldap/login' && a.status === 501 && /^application\/json/i.test(a.contentType);
  if (a.status >= 500 && !notConfigured) return `server error: ${shown}`;
  if (a.status < 200 || (a.status >= 300 && a.status < 400)) return `unexpected status: ${shown}`;
  if (r.mustBeRefused && a.status < 300) return `bad credentials accepted: ${shown}`;
  if (a.status >= 400) {
    if (!/^application\/json/i.test(a.contentType)) return `4xx without a JSON content type: ${shown}`;
    const body = a.json as { error?: unknown } | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return `4xx body is not a JSON object: ${shown}`;
    const e = body.error;
    const message = typeof e === 'string' ? e : e && typeof e === 'object' ? (e as { message?: unknown }).message : undefined;
    if (typeof message !== 'string' || message.trim() === '') return `4xx body has no error message: ${shown}`;
  }
  return null;
}

export function describeRequest(r: FuzzRequest): string {
  const body = r.wire.body === undefined ? '(no body)' : abbreviate(r.wire.body.toString('utf8'), 400);
  const headers = Object.entries(r.wire.headers).map(([k, v]) => `${k}: ${abbreviate(k === 'authorization' ? v.replace(/[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/, '<jwt>') : v, 80)}`);
  return `${r.wire.method} ${abbreviate(r.wire.path, 200)} [${r.variant}: ${r.detail}]\n    ${headers.join('\n    ')}\n    ${body}`;
}

export interface RunOptions {
  base: string;
  seed: number;
  concurrency: number;
  runsFor: (ctx: OpContext) => number;
  creds: Credentials;
  ledger: Ledger;
  /** Per operation: how long its runs (and shrinking a failure) may take in all. */
  timeBudgetMs?: number;
  /** A request the api has not answered by then counts as a failure (a hang). */
  answerWithinMs?: number;
}

/** A stable 31-bit seed for one operation of a run (FNV-1a of the key, mixed with the run's seed). */
export function opSeed(runSeed: number, key: string): number {
  let h = 0x811c9dc5 ^ runSeed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** Fuzzes every context; resolves with the failures (empty when the stack held up). */
export async function runFuzz(contexts: OpContext[], opts: RunOptions): Promise<Failure[]> {
  const failures: Failure[] = [];
  const queue = [...contexts];
  const lane = async () => {
    for (let ctx = queue.shift(); ctx; ctx = queue.shift()) {
      const seed = opSeed(opts.seed, ctx.op.key);
      let shrinking = false;
      const property = fc.asyncProperty(requestsFor(ctx, opts.creds), async (r) => {
        let a: WireAnswer;
        try {
          a = await send(opts.base, r.wire, opts.answerWithinMs ?? 10_000);
        } catch (err) {
          if (err instanceof ClientSideRefusal) {
            opts.ledger.stats(r.op).notSent++;
            return true;
          }
          throw new Error(`no answer (${(err as Error).message}): the api may have crashed`);
        }
        if (!shrinking) opts.ledger.record(r, a);
        const problem = judge(r, a);
        if (problem) {
          shrinking = true;
          throw new Error(problem);
        }
        return true;
      });
      const details = await fc.check(property, {
        numRuns: opts.runsFor(ctx),
        seed,
        interruptAfterTimeLimit: opts.timeBudgetMs ?? 60_000,
        markInterruptAsFailure: false,
      });
      if (details.failed) {
        failures.push({
          op: ctx.op.key,
          seed,
          path: details.counterexamplePath ?? undefined,
          problem: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance ?? details.error),
          counterexample: details.counterexample?.[0],
          shrinks: details.numShrinks,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, () => lane()));
  return failures;
}
