#!/usr/bin/env node
/*
 * Benchmarks of an Attune target over the wire (`npm run bench`): the reference stack by default (started when none
 * answers), any Attune by the suite's target settings (ATTUNE_API_URL, ATTUNE_WS_URL, ATTUNE_ADMIN_LOGIN/PASSWORD,
 * ATTUNE_SERVICE_CONTROL for the scale figure).
 *
 *   npm run bench                         every figure (a few minutes)
 *   npm run bench -- --quick              a short smoke of every figure (CI runs this: it checks the bench works,
 *                                         never how fast the target is)
 *   npm run bench -- --only latency,timer a subset: latency, webhook, timer, notifications, throughput, scale, suite
 *   npm run bench -- --suite              also the suite's wall times (tier1/2/3/all with 4 workers, all with 1)
 *   npm run bench -- --compare reports/bench-baseline.json
 *                                         ratios against an earlier bench.json; a figure beyond the noise bound
 *                                         (--noise, default 25 %) is flagged as a regression and the exit code is 1
 * Knobs: --runs (1000 manual runs), --webhook-posts (500), --timer-fires (30), --steps 25,50,100,200,400,
 * --step-seconds (20), --in-flight (200), --scale-rate (200).
 *
 * Writes reports/bench.json (every figure named, with the machine's core count and load) and reports/bench.html
 * (latency distribution, throughput against offered load); prints a table.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { settings, Api, openNotifier, ROOT } = require('./target');
const figures = require('./figures');
const { suiteWallTimes } = require('./suite-times');
const { page } = require('./page');
const { compare } = require('./compare');

const ALL = ['latency', 'webhook', 'timer', 'notifications', 'throughput', 'scale'];

function parseArgs(argv) {
  const o = {
    quick: false, only: ALL, suite: false, compare: undefined, noise: 0.25,
    runs: 1000, webhookPosts: 500, timerFires: 30, steps: [25, 50, 100, 200, 400], stepSeconds: 20, inFlight: 200, scaleRate: 200,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = next().split(',').map((x) => x.trim()).filter(Boolean);
    else if (a === '--suite') o.suite = true;
    else if (a === '--compare') o.compare = next();
    else if (a === '--noise') o.noise = Number(next()) / (Number(argv[i]) > 1 ? 100 : 1);
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--webhook-posts') o.webhookPosts = Number(next());
    else if (a === '--timer-fires') o.timerFires = Number(next());
    else if (a === '--steps') o.steps = next().split(',').map(Number);
    else if (a === '--step-seconds') o.stepSeconds = Number(next());
    else if (a === '--in-flight') o.inFlight = Number(next());
    else if (a === '--scale-rate') o.scaleRate = Number(next());
    else throw new Error(`unknown option ${a} (see the header of bench/main.js)`);
  }
  for (const name of o.only) if (![...ALL, 'suite'].includes(name)) throw new Error(`unknown figure ${name}; known: ${[...ALL, 'suite'].join(', ')}`);
  if (o.only.includes('suite')) o.suite = true;
  return o;
}

async function ready(api) {
  try {
    const res = await fetch(`${api}/health/ready`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** A pack of the bench's own with a webhook trigger and one rule on it running core.noop; removed at the end. */
async function createFixture(api) {
  const stamp = `${Date.now().toString(36)}${process.pid}`;
  const pack = `bench_${stamp}`;
  await api.call('POST', '/api/v1/packs', { ref: pack, label: 'npm run bench', version: '1.0.0', description: 'created and deleted by npm run bench' });
  const trigger = `${pack}.hook`;
  await api.call('POST', '/api/v1/triggers', { ref: trigger, pack_ref: pack, label: 'bench hook', description: 'npm run bench: webhook latency' });
  const enabled = await api.call('POST', `/api/v1/triggers/${trigger}/webhooks/enable`);
  const webhookRule = `${pack}.on_hook`;
  await api.call('POST', '/api/v1/rules', {
    ref: webhookRule, pack_ref: pack, label: 'bench webhook rule', description: 'npm run bench', trigger_ref: trigger,
    trigger_params: {}, action_ref: 'core.noop', action_params: {}, enabled: true,
  });
  return { pack, trigger, webhookKey: enabled.webhook_key, webhookRule };
}

function machine() {
  return { cpus: os.cpus().length, cpu_model: os.cpus()[0] && os.cpus()[0].model, memory_gb: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map((v) => Math.round(v * 100) / 100), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

function table(result) {
  const rows = [];
  const add = (name, v, unit = 'ms') => rows.push([name, v === null || v === undefined ? 'n/a' : `${v}${unit ? ` ${unit}` : ''}`]);
  const f = result.figures;
  if (f.latency) {
    const d = f.latency.execute_to_completed_ms;
    add(`execute → completed p50/p95/p99/max (n=${d.n})`, `${d.p50} / ${d.p95} / ${d.p99} / ${d.max}`);
  }
  if (f.webhook) add(`webhook → completed p50/p99 (n=${f.webhook.post_to_completed_ms.n})`, `${f.webhook.post_to_completed_ms.p50} / ${f.webhook.post_to_completed_ms.p99}`);
  if (f.timer) {
    add(`timer deviation mean/max (fires=${f.timer.fires})`, `${f.timer.deviation_from_schedule_ms.mean} / ${f.timer.deviation_from_schedule_ms.max}`);
    add('timer fire → completed p50/p99', `${f.timer.fire_to_completed_ms.p50} / ${f.timer.fire_to_completed_ms.p99}`);
  }
  if (f.notifications) {
    add('notification delay idle p50/p99', `${f.notifications.idle_ms.p50} / ${f.notifications.idle_ms.p99}`);
    add(`notification delay at ${f.notifications.under_load_ms.load_per_s}/s p50/p99`, `${f.notifications.under_load_ms.p50} / ${f.notifications.under_load_ms.p99}`);
  }
  if (f.throughput) {
    for (const st of f.throughput.steps) add(`offered ${st.offered_per_s}/s: completed/s, p99, lost`, `${st.completed_per_s}/s, ${st.latency_ms.p99} ms, ${st.lost}`, '');
    add('throughput knee', f.throughput.knee_per_s, '/s');
  }
  if (f.scale && !f.scale.skipped) {
    add('RSS of all services at idle', f.scale.idle_rss_mb_total, 'MB');
    for (const w of f.scale.by_workers) add(`${w.workers} worker(s) at ${f.scale.offered_per_s}/s: completed/s, RSS`, `${w.completed_per_s}/s, ${w.rss_mb_total} MB`, '');
  } else if (f.scale) add('scale', f.scale.skipped, '');
  if (f.suite) for (const r of f.suite.runs) add(`suite ${r.profile} (${r.workers} worker${r.workers === 1 ? '' : 's'})`, `${r.seconds} s, ${r.summary}`, '');
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`).join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const target = settings();
  let startedStack = false;
  if (!process.env.ATTUNE_API_URL && !(await ready(target.api))) {
    process.stdout.write('no target answers: starting the reference stack\n');
    if (spawnSync('bash', ['scripts/stack-start.sh'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) throw new Error('the reference stack did not start');
    startedStack = true;
    Object.assign(target, settings());
  }
  const result = { measured_at: new Date().toISOString(), quick: opts.quick, target: { api: target.api, notifier: target.ws, service_control: Boolean(target.control) }, machine: machine(), options: opts, figures: {} };
  const api = await new Api(target.api).login(target.login, target.password);
  const notifier = await openNotifier(target.ws, api.token);
  let fixture;
  try {
    fixture = await createFixture(api);
    const s = { api, notifier, target, fixture, opts };
    const plan = { latency: figures.manualLatency, webhook: figures.webhookLatency, timer: figures.timerPrecision, notifications: figures.notificationDelay, throughput: figures.throughput, scale: figures.scale };
    for (const name of ALL.filter((n) => opts.only.includes(n))) {
      const t0 = Date.now();
      process.stdout.write(`${name} ...\n`);
      result.figures[name] = await plan[name](s);
      result.figures[name].seconds = Math.round((Date.now() - t0) / 100) / 10;
    }
  } finally {
    notifier.close();
    if (fixture) await api.call('DELETE', `/api/v1/packs/${fixture.pack}`, undefined, { allow: [404] }).catch(() => undefined);
    if (startedStack && !opts.suite) spawnSync('bash', ['scripts/stack-stop.sh'], { cwd: ROOT, stdio: 'ignore' });
  }
  if (opts.suite) {
    process.stdout.write('suite wall times ...\n');
    result.figures.suite = suiteWallTimes(opts.quick);
    if (startedStack) spawnSync('bash', ['scripts/stack-stop.sh'], { cwd: ROOT, stdio: 'ignore' });
  }
  result.machine.loadavg_after = os.loadavg().map((v) => Math.round(v * 100) / 100);

  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'reports', 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(ROOT, 'reports', 'bench.html'), page(result));
  process.stdout.write(`\n${table(result)}\n\n${result.machine.cpus} cores, load ${result.machine.loadavg.join(' ')} before, ${result.machine.loadavg_after.join(' ')} after\nbench: reports/bench.json, reports/bench.html\n`);
  if (opts.compare) {
    const baseline = JSON.parse(fs.readFileSync(path.resolve(opts.compare), 'utf8'));
    const { lines, regressions } = compare(baseline, result, opts.noise);
    process.stdout.write(`\nagainst ${opts.compare} (noise bound ±${Math.round(opts.noise * 100)} %):\n${lines.join('\n')}\n`);
    if (regressions.length) {
      process.stdout.write(`${regressions.length} regression(s) beyond the noise bound\n`);
      process.exitCode = 1;
    }
  }
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack || error.message}\n`);
  process.exitCode = 2;
});
