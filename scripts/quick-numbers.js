#!/usr/bin/env node
/**
 * Quick performance figures of a running Attune stack (`npm run figures`):
 *   (i)   manual execute → completed for core.echo over N sequential runs (default 200), timed from
 *         the POST to the notifier's execution_status_changed frame with status completed;
 *   (ii)  notification delay: each status-change frame's receipt time minus the row's `updated`
 *         as PostgreSQL wrote it (the trigger's payload; for the final status also re-read with SQL);
 *   (iii) idle RSS of each service process (pids from logs/stack.json, /proc/<pid>/status VmRSS)
 *         once the run has settled.
 * Writes reports/figures.json and prints a small table against the targets.
 *
 * Target: ATTUNE_API_URL (default http://127.0.0.1:18080), ATTUNE_WS_URL, ATTUNE_DB_URL,
 * ATTUNE_ADMIN_LOGIN / ATTUNE_ADMIN_PASSWORD. Knobs: FIGURES_RUNS (200), FIGURES_SETTLE_MS (5000).
 * The database and this script must share a clock (same machine) for (ii) to mean anything.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const pg = require('pg');

const ROOT = path.resolve(__dirname, '..');
const API = (process.env.ATTUNE_API_URL || 'http://127.0.0.1:18080').replace(/\/$/, '');
const RUNS = Number(process.env.FIGURES_RUNS || 200);
const WARMUP = 5;
const SETTLE_MS = Number(process.env.FIGURES_SETTLE_MS || 5000);
const FRAME_TIMEOUT_MS = 30_000;
const TARGETS = { execute_to_completed_p50_ms: 30, notification_delay_p99_ms: 20, idle_rss_mb_per_service: 120 };

/** Wall-clock milliseconds with sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The stack.json of the stack serving API (the shared one in logs/, or another under logs/<dir>/). */
function findStackJson() {
  const candidates = [path.join(ROOT, 'logs', 'stack.json')];
  try {
    for (const d of fs.readdirSync(path.join(ROOT, 'logs'))) candidates.push(path.join(ROOT, 'logs', d, 'stack.json'));
  } catch {
    /* no logs folder */
  }
  for (const file of candidates) {
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (String(s.api).replace(/\/$/, '') === API) return { file, stack: s };
    } catch {
      /* not there */
    }
  }
  return undefined;
}

/** timestamptz text (µs precision, any offset) → epoch milliseconds with the fraction kept. */
function parseTimestamp(text) {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(String(text));
  if (!m) return NaN;
  let zone = m[3];
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  return Date.parse(`${m[1]}${zone}`) + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : null;
  return { n: s.length, min: round(s[0] ?? null), p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? null), mean: round(mean) };
}

async function http(method, url, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${API}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function vmFromProc(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status) || [])[1]);
    return { rss_mb: Math.round((kb('VmRSS') / 1024) * 10) / 10, peak_rss_mb: Math.round((kb('VmHWM') / 1024) * 10) / 10 };
  } catch {
    return undefined;
  }
}

/** Opens the notifier WebSocket and records every execution_status_changed frame with its receipt time. */
async function openNotifier(wsUrl, token) {
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  const changes = []; // {id, status, updatedMs, receivedMs}
  const TERMINAL = new Set(['completed', 'failed', 'timeout', 'cancelled', 'abandoned']);
  const waiters = new Map(); // execution id → resolve(first terminal frame)
  let errors = 0;
  ws.on('message', (data) => {
    const receivedMs = now();
    let f;
    try {
      f = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (f.type === 'error') errors++;
    if (f.type !== 'notification' || f.notification_type !== 'execution_status_changed') return;
    const c = { id: f.entity_id, status: f.payload && f.payload.status, updatedMs: parseTimestamp(f.payload && f.payload.updated), receivedMs };
    changes.push(c);
    const w = TERMINAL.has(c.status) ? waiters.get(c.id) : undefined;
    if (w) {
      waiters.delete(c.id);
      w(c);
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`notifier refused the connection: HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => undefined);
  ws.send(JSON.stringify({ type: 'subscribe', filter: 'entity_type:execution' }));
  // Frames are handled in order: the error for a bogus filter sent next proves the subscription is in place.
  ws.send(JSON.stringify({ type: 'subscribe', filter: 'not-a-filter' }));
  const deadline = Date.now() + 10_000;
  while (errors === 0) {
    if (Date.now() > deadline) throw new Error('the notifier did not acknowledge the subscription');
    await sleep(5);
  }
  /** The first terminal status frame of the execution. */
  const waitTerminal = (id) => {
    const seen = changes.find((c) => c.id === id && TERMINAL.has(c.status));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new Error(`no terminal status frame for execution ${id} within ${FRAME_TIMEOUT_MS} ms`));
      }, FRAME_TIMEOUT_MS);
      waiters.set(id, (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  };
  return { ws, changes, waitTerminal };
}

async function main() {
  const found = findStackJson();
  const wsUrl = process.env.ATTUNE_WS_URL || (found && found.stack.notifier) || 'ws://127.0.0.1:18081/ws';
  const dbUrl = process.env.ATTUNE_DB_URL || 'postgresql://postgres@127.0.0.1:5432/attune_e2e';
  const login = process.env.ATTUNE_ADMIN_LOGIN || 'test@attune.local';
  const password = process.env.ATTUNE_ADMIN_PASSWORD || 'TestPass123!';
  const loadBefore = os.loadavg();
  const startedAt = new Date().toISOString();

  const token = (await http('POST', '/auth/login', { body: { login, password } })).data.access_token;
  const notifier = await openNotifier(wsUrl, token);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();

  const runOnce = async (i) => {
    const t0 = now();
    const ex = (await http('POST', '/api/v1/executions/execute', { token, body: { action_ref: 'core.echo', parameters: { message: `figures run ${i}` }, env_vars: {} } })).data;
    const done = await notifier.waitTerminal(ex.id);
    if (done.status !== 'completed') throw new Error(`execution ${ex.id} ended ${done.status}`);
    return { id: ex.id, ms: done.receivedMs - t0 };
  };

  process.stdout.write(`warming up (${WARMUP} runs) ... `);
  const warmIds = [];
  for (let i = 0; i < WARMUP; i++) warmIds.push((await runOnce(`warm-up ${i}`)).id);
  process.stdout.write(`measuring ${RUNS} sequential runs of core.echo against ${API} ...\n`);
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(i));
  const loadAfterRun = os.loadavg();
  const ids = new Set(runs.map((r) => r.id));

  // (ii) Every status change of the measured executions; the final one also against the row re-read now.
  await sleep(200); // let any straggling frames of the last run arrive before counting
  const changes = notifier.changes.filter((c) => ids.has(c.id));
  const byStatus = {};
  for (const c of changes) (byStatus[c.status] ||= []).push(c.receivedMs - c.updatedMs);
  const { rows } = await db.query(
    'SELECT id, status, extract(epoch FROM updated) * 1000 AS updated_ms FROM attune.execution WHERE id = ANY($1::bigint[])',
    [[...ids]],
  );
  const rowUpdated = new Map(rows.map((r) => [Number(r.id), { status: r.status, ms: Number(r.updated_ms) }]));
  const finalDelays = [];
  let payloadMatchesRow = 0;
  for (const c of changes) {
    const row = rowUpdated.get(c.id);
    if (!row || row.status !== c.status) continue;
    finalDelays.push(c.receivedMs - row.ms);
    if (Math.abs(row.ms - c.updatedMs) < 0.01) payloadMatchesRow++;
  }

  // (iii) Idle RSS once the run has settled.
  await sleep(SETTLE_MS);
  const rss = {};
  if (found) {
    for (const [name, s] of Object.entries(found.stack.services || {})) {
      const v = s && s.pid ? vmFromProc(s.pid) : undefined;
      rss[name] = v ? { pid: s.pid, ...v } : { pid: s && s.pid, error: 'not readable' };
    }
  }
  notifier.ws.close();
  await db.end();

  const e2e = summary(runs.map((r) => r.ms));
  const delayAll = summary(changes.map((c) => c.receivedMs - c.updatedMs));
  const figures = {
    measured_at: startedAt,
    target: { api: API, notifier: wsUrl, database: dbUrl.replace(/\/\/[^@/]*@/, '//'), stack_json: found ? path.relative(ROOT, found.file) : null },
    machine: {
      cpus: os.cpus().length,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      loadavg_before: loadBefore.map((v) => Math.round(v * 100) / 100),
      loadavg_after_runs: loadAfterRun.map((v) => Math.round(v * 100) / 100),
      node: process.version,
    },
    runs: RUNS,
    warmup_runs: WARMUP,
    execute_to_completed_ms: e2e,
    notification_delay_ms: {
      all_status_changes: delayAll,
      by_status: Object.fromEntries(Object.entries(byStatus).map(([k, v]) => [k, summary(v)])),
      final_status_vs_row_read_with_sql: { ...summary(finalDelays), payload_updated_equals_row: `${payloadMatchesRow}/${finalDelays.length}` },
    },
    idle_rss_mb: rss,
    targets: TARGETS,
    verdicts: {
      execute_to_completed_p50: e2e.p50 !== null && e2e.p50 <= TARGETS.execute_to_completed_p50_ms,
      notification_delay_p99: delayAll.p99 !== null && delayAll.p99 <= TARGETS.notification_delay_p99_ms,
      idle_rss: Object.values(rss).length > 0 && Object.values(rss).every((v) => typeof v.rss_mb === 'number' && v.rss_mb <= TARGETS.idle_rss_mb_per_service),
    },
  };
  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'reports', 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);

  const ok = (b) => (b ? 'ok' : 'OVER');
  const line = (a, b, c, d) => console.log(`${a.padEnd(38)}${String(b).padStart(10)}${String(c).padStart(10)}${String(d).padStart(8)}`);
  console.log('');
  line('figure', 'measured', 'target', '');
  line('execute → completed p50 (ms)', e2e.p50, `≤ ${TARGETS.execute_to_completed_p50_ms}`, ok(figures.verdicts.execute_to_completed_p50));
  line('execute → completed p95 (ms)', e2e.p95, '', '');
  line('execute → completed p99 (ms)', e2e.p99, '', '');
  line('notification delay p50 (ms)', delayAll.p50, '', '');
  line(`notification delay p99 (ms, n=${delayAll.n})`, delayAll.p99, `≤ ${TARGETS.notification_delay_p99_ms}`, ok(figures.verdicts.notification_delay_p99));
  for (const [name, v] of Object.entries(rss)) {
    line(`idle RSS ${name} (MB)`, v.rss_mb ?? 'n/a', `≤ ${TARGETS.idle_rss_mb_per_service}`, typeof v.rss_mb === 'number' ? ok(v.rss_mb <= TARGETS.idle_rss_mb_per_service) : '');
  }
  if (!found) console.log(`(no stack.json under logs/ serves ${API}: RSS not measured)`);
  console.log(`load average ${figures.machine.loadavg_before.join(' ')} before, ${figures.machine.loadavg_after_runs.join(' ')} after the runs (${figures.machine.cpus} CPUs)`);
  console.log(`written to ${path.relative(process.cwd(), path.join(ROOT, 'reports', 'figures.json'))}`);
}

main().catch((err) => {
  console.error(`figures: ${err.stack || err.message}`);
  process.exit(1);
});
