/**
 * (e, at scale) A property-based fuzz of every write operation the stack's OpenAPI document lists:
 * fast-check derives requests from each request body schema and path parameters — valid-ish
 * bodies with one part broken (wrong types, null, missing and extra fields, boundary numbers, odd
 * Unicode, deep and ~1 MB values), the whole body of the wrong type, raw non-JSON bytes, wrong
 * content types, bad Authorization headers, invalid path parameters — and sends at least 5,000 of
 * them, a few at a time. Properties: never a 5xx, every 4xx a JSON body with an error message, bad
 * credentials never accepted. Afterwards nothing is half-written (database facts, row counts = 2xx
 * creates − 2xx deletes) and the stack is healthy (same processes, an action still runs).
 *
 * Reproduce: FUZZ_SEED=<seed> (printed) replays the whole run; FUZZ_OPS='POST /api/v1/rules' limits
 * it to some operations; FUZZ_REQUESTS sets the budget. Shrunk counterexamples of past failures are
 * fixed cases in lib/fuzz/regressions.ts, sent on every run before the fuzz.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import YAML from 'yaml';
import { openDb } from './lib/db';
import { call, execute, services, settled, type ServiceSnapshot } from './lib/http';
import { adminToken, signHs256 } from './lib/jwt';
import { API_URL, JWT_SECRET, logTail, ROOT, useItestStack } from './lib/itest-stack';
import { waitFor } from './lib/wait';
import { catalogue } from './lib/fuzz/catalogue';
import { createFixtures, type Fixtures } from './lib/fuzz/fixtures';
import { consistencyProblems, countProblems, snapshotIds, type Snapshot } from './lib/fuzz/invariants';
import { writeOperations, type Operation } from './lib/fuzz/openapi';
import type { Credentials, FuzzRequest, OpContext } from './lib/fuzz/requests';
import { describeRequest, judge, Ledger, runFuzz, type Failure } from './lib/fuzz/runner';
import { closeTransport, send } from './lib/fuzz/transport';
import { REGRESSIONS } from './lib/fuzz/regressions';

useItestStack();

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_612);
const BUDGET = Number(process.env.FUZZ_REQUESTS ?? 5_300);
const ONLY = (process.env.FUZZ_OPS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const CONCURRENCY = 4;
const MIN_REQUESTS = 5_000;

function credentials(fx: Fixtures): Credentials {
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown>) => ({ login: 'test@attune.local', token_type: 'access', iat: now, exp: now + 600, ...extra });
  const alg = (header: Record<string, unknown>, body: Record<string, unknown>) =>
    `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.`;
  return {
    admin: fx.admin.token,
    sensor: fx.sensorToken,
    bad: [
      { name: 'no Authorization header', header: undefined },
      { name: 'empty header', header: '' },
      { name: '"Bearer" alone', header: 'Bearer' },
      { name: '"Bearer " and nothing', header: 'Bearer ' },
      { name: 'garbage bearer', header: 'Bearer garbage.garbage.garbage' },
      { name: 'lower-case scheme', header: `bearer ${fx.admin.token}` },
      { name: 'Basic credentials', header: 'Basic dGVzdEBhdHR1bmUubG9jYWw6VGVzdFBhc3MxMjMh' },
      { name: 'token twice', header: `Bearer ${fx.admin.token} ${fx.admin.token}` },
      { name: 'expired token', header: `Bearer ${adminToken(JWT_SECRET, -7200, -3600)}` },
      { name: 'foreign secret', header: `Bearer ${adminToken('not-the-secret', 0, 600)}` },
      { name: 'refresh token', header: `Bearer ${fx.admin.refresh}` },
      { name: 'alg none', header: `Bearer ${alg({ alg: 'none', typ: 'JWT' }, claims({ sub: '1' }))}` },
      { name: 'signature stripped', header: `Bearer ${fx.admin.token.split('.').slice(0, 2).join('.')}.` },
      { name: 'sub -1', header: `Bearer ${signHs256(claims({ sub: '-1' }), JWT_SECRET)}` },
      { name: 'sub 0', header: `Bearer ${signHs256(claims({ sub: '0' }), JWT_SECRET)}` },
      { name: 'sub abc', header: `Bearer ${signHs256(claims({ sub: 'abc' }), JWT_SECRET)}` },
      { name: 'sub empty', header: `Bearer ${signHs256(claims({ sub: '' }), JWT_SECRET)}` },
      { name: 'sub 2^63', header: `Bearer ${signHs256(claims({ sub: '9223372036854775808' }), JWT_SECRET)}` },
      { name: 'sub 1e30', header: `Bearer ${signHs256(claims({ sub: '1e30' }), JWT_SECRET)}` },
      { name: 'sub as a number', header: `Bearer ${signHs256(claims({ sub: 999999999 }), JWT_SECRET)}` },
      { name: 'deleted identity', header: `Bearer ${signHs256(claims({ sub: '999999999' }), JWT_SECRET)}` },
      { name: 'no exp', header: `Bearer ${signHs256({ sub: '999999998', token_type: 'access' }, JWT_SECRET)}` },
      { name: 'token_type refresh', header: `Bearer ${signHs256(claims({ sub: '999999997', token_type: 'refresh' }), JWT_SECRET)}` },
      { name: '8 KB header', header: `Bearer ${'a'.repeat(8000)}` },
      { name: 'non-ASCII token', header: `Bearer ${Buffer.from('ä€😀', 'utf8').toString('latin1')}` },
    ],
  };
}

function report(ledger: Ledger, contexts: OpContext[]): string {
  const lines = [`fuzz seed ${SEED}: ${ledger.total} requests to ${contexts.length} write operations (concurrency ${CONCURRENCY})`];
  const width = Math.max(...contexts.map((c) => c.op.key.length));
  for (const c of contexts) {
    const s = ledger.stats(c.op.key);
    const classes = Object.entries(s.byClass).sort().map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  ${c.op.key.padEnd(width)}  ${String(s.sent).padStart(4)} sent  (${classes})  avg ${s.sent ? Math.round(s.ms / s.sent) : 0} ms`);
  }
  return lines.join('\n');
}

function describeFailure(f: Failure): string {
  return [
    `${f.op}: ${f.problem}`,
    `  replay: FUZZ_SEED=${SEED} FUZZ_OPS='${f.op}' (operation seed ${f.seed}, path ${f.path ?? '-'}, ${f.shrinks} shrinks)`,
    f.counterexample ? `  shrunk counterexample:\n    ${describeRequest(f.counterexample)}` : '',
  ].join('\n');
}

describe('API fuzz: thousands of malformed requests to every write operation', () => {
  let fx: Fixtures;
  let ops: Operation[];
  let contexts: OpContext[];
  let creds: Credentials;
  let db: pg.Client;
  let before0: Snapshot;
  let servicesBefore: Record<string, ServiceSnapshot>;
  const ledger = new Ledger();

  before(async () => {
    const spec = await call('GET', '/api-spec/openapi.json');
    assert.equal(spec.status, 200, spec.text.slice(0, 300));
    ops = writeOperations(spec.json as Parameters<typeof writeOperations>[0]);
    fx = await createFixtures();
    creds = credentials(fx);
    const known = catalogue(fx, ops);
    contexts = ops.filter((o) => known.has(o.key)).map((op) => ({ op, ...known.get(op.key)! }));
    if (ONLY.length) contexts = contexts.filter((c) => ONLY.includes(c.op.key));
    db = await openDb();
    servicesBefore = await services();
  });

  after(async () => {
    // FUZZ_KEEP_LOGS=<dir>: keep the services' logs of this run (the next run of any file overwrites logs/itest)
    if (process.env.FUZZ_KEEP_LOGS) fs.cpSync(path.join(ROOT, 'logs/itest'), process.env.FUZZ_KEEP_LOGS, { recursive: true });
    closeTransport();
    await db?.end().catch(() => undefined);
    if (fx) fs.rmSync(fx.tmpRoot, { recursive: true, force: true });
  });

  test('the OpenAPI document lists the write operations, and the fuzz knows every one of them', () => {
    const known = catalogue(fx, ops);
    const unknown = ops.filter((o) => !known.has(o.key)).map((o) => o.key);
    assert.deepEqual(unknown, [], 'write operations without a fuzz context (add them to lib/fuzz/catalogue.ts)');
    const stale = [...known.keys()].filter((k) => !ops.some((o) => o.key === k));
    assert.deepEqual(stale, [], 'fuzz contexts of operations the document no longer lists');
    assert.ok(ops.length >= 50, `only ${ops.length} write operations documented`);
  });

  test('shrunk counterexamples of earlier runs (regressions) answer 4xx with a JSON error, in time', async () => {
    const problems: string[] = [];
    for (const r of REGRESSIONS(fx)) {
      const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      const req: FuzzRequest = {
        op: `${r.method} ${r.path}`, variant: 'mutated', detail: r.name, mustBeRefused: false,
        wire: { method: r.method, path: r.path, headers: { authorization: `Bearer ${fx.admin.token}`, 'content-type': 'application/json', ...(r.headers ?? {}) }, body },
      };
      try {
        const a = await send(API_URL, req.wire, r.withinMs ?? 10_000);
        const problem = judge(req, a) ?? (a.status < 400 ? `expected 4xx, got ${a.status} ${a.text.slice(0, 200)}` : null);
        if (problem) problems.push(`${r.name}: ${problem}`);
      } catch (err) {
        problems.push(`${r.name}: ${(err as Error).message}`);
      }
    }
    // a webhook call refused with an error quoting a NUL byte is still logged (the log insert failed on the NUL)
    const nul = await send(API_URL, { method: 'POST', path: `/api/v1/webhooks/${fx.webhookKey}`, headers: { 'content-type': 'application/json' }, body: Buffer.from([0]) });
    if (nul.status !== 400) problems.push(`webhook body of one NUL byte: HTTP ${nul.status} ${nul.text.slice(0, 200)}`);
    const logged = await db.query(`SELECT 1 FROM webhook_event_log WHERE webhook_key = $1 AND status_code = 400 AND error_message LIKE '%\ufffd%'`, [fx.webhookKey]);
    if (!logged.rowCount) problems.push('the refused webhook call whose error quotes a NUL byte was not logged');
    assert.deepEqual(problems, [], `--- api.log ---\n${logTail('api', 10)}`);
  });

  test(`at least ${MIN_REQUESTS} generated requests: never a 5xx, every 4xx a JSON error, bad credentials refused`, async () => {
    before0 = await snapshotIds(db);
    const totalWeight = contexts.reduce((n, c) => n + (c.weight ?? 1), 0);
    const runsFor = (c: OpContext) => Math.max(20, Math.ceil((BUDGET * (c.weight ?? 1)) / totalWeight));
    const started = Date.now();
    const failures = await runFuzz(contexts, { base: API_URL, seed: SEED, concurrency: CONCURRENCY, runsFor, creds, ledger, timeBudgetMs: 90_000, answerWithinMs: 20_000 });
    const table = report(ledger, contexts);
    console.log(`${table}\n  wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(failures.map(describeFailure), [], `--- api.log ---\n${logTail('api', 10)}`);
    if (!ONLY.length) assert.ok(ledger.total >= MIN_REQUESTS, `only ${ledger.total} requests were sent`);
  });

  test('nothing half-written: database facts hold and row counts match the 2xx answers', { timeout: 60_000 }, async () => {
    // executions the fuzz started finish first (a row without its message would stay 'requested')
    const started = [...(ledger.created.get('execution') ?? [])];
    await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT id, status FROM execution WHERE id = ANY($1::bigint[]) AND status NOT IN ('completed', 'failed', 'cancelled', 'timeout', 'abandoned')`,
        [started],
      );
      return rows.length === 0;
    }, { what: `the ${started.length} executions the fuzz started to finish`, timeoutMs: 45_000, intervalMs: 250 });
    const cfg = YAML.parse(fs.readFileSync(path.join(ROOT, 'config.e2e.yaml'), 'utf8')) as { security: { encryption_key: string } };
    const facts = await consistencyProblems(db, {
      encryptionKey: cfg.security.encryption_key,
      root: ROOT,
      packsDir: '.attune/itest/packs',
      registeredIds: [...(ledger.createdBy.get('POST /auth/register') ?? [])],
    });
    const counts = await countProblems(db, before0, ledger);
    console.log(`rows per table (before → after):\n  ${counts.table.join('\n  ')}`);
    assert.deepEqual([...facts, ...counts.problems], []);
  });

  test('the stack stays healthy: ready, the same processes, and an action still runs', async () => {
    const ready = await call('GET', '/health/ready');
    assert.equal(ready.status, 200, ready.text);
    const now = await services();
    for (const [name, s] of Object.entries(now)) {
      assert.ok(s.ready, `${name} is ${s.state}`);
      assert.equal(s.pid, servicesBefore[name].pid, `${name} was restarted`);
      assert.equal(s.restarts, 0, `${name} restarted ${s.restarts} times`);
    }
    const id = await execute(fx.admin.token, 'core.echo', { message: 'after the fuzz' });
    const ex = await settled(fx.admin.token, id);
    assert.equal(ex.status, 'completed', JSON.stringify(ex));
  });
});
