/**
 * The measurements of `npm run bench`. Each takes the session ({api, notifier, target, fixture, opts}) and returns a
 * plain object of named figures, each a distribution (bench/stats.js summary) or a count — never one sample.
 */
'use strict';

const { summary, histogram, round } = require('./stats');
const { now, controlService, services, serviceRss, request } = require('./target');

const NOOP = 'core.noop';

async function execute(api, actionRef, parameters = {}) {
  return api.call('POST', '/api/v1/executions/execute', { action_ref: actionRef, parameters });
}

/** Manual execution latency: POST execute → the terminal status frame, sequential. */
async function manualLatency(s) {
  const runs = s.opts.quick ? 20 : s.opts.runs;
  const warmup = Math.min(10, runs);
  for (let i = 0; i < warmup; i++) await s.notifier.terminal((await execute(s.api, NOOP)).id);
  const ms = [];
  const statuses = {};
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    const ex = await execute(s.api, NOOP);
    const done = await s.notifier.terminal(ex.id);
    ms.push(done.receivedMs - t0);
    statuses[done.status] = (statuses[done.status] || 0) + 1;
  }
  return { action: NOOP, runs, statuses, execute_to_completed_ms: summary(ms), histogram: histogram(ms) };
}

/** Webhook post → the rule's execution terminal, sequential posts (one rule on the trigger runs core.noop). */
async function webhookLatency(s) {
  const posts = s.opts.quick ? 10 : s.opts.webhookPosts;
  const { webhookKey, webhookRule } = s.fixture;
  const ms = [];
  const statuses = {};
  for (let i = 0; i < posts; i++) {
    let resolveNext;
    const next = new Promise((r) => (resolveNext = r));
    const stop = s.notifier.onFrame((f) => {
      if (f.ruleRef === webhookRule && ['completed', 'failed', 'timeout', 'canceled', 'abandoned'].includes(f.status)) resolveNext(f);
    });
    const t0 = now();
    const res = await request('POST', `${s.target.api}/api/v1/webhooks/${webhookKey}`, { 'content-type': 'application/json' }, JSON.stringify({ payload: { n: i } }));
    if (!res.ok) throw new Error(`webhook post answered ${res.status}: ${res.text}`);
    const done = await Promise.race([next, new Promise((_, rej) => setTimeout(() => rej(new Error(`webhook post ${i}: no execution of ${webhookRule} ended within 60 s`)), 60_000))]);
    stop();
    ms.push(done.receivedMs - t0);
    statuses[done.status] = (statuses[done.status] || 0) + 1;
  }
  return { posts, statuses, post_to_completed_ms: summary(ms) };
}

/**
 * An interval timer of 1 s on core.echo whose message is the fire's `fired_at`: how far each fire lies from the
 * schedule (the first fire + n × 1 s), and fire → execution terminal. Needs the target's clock = ours (same machine).
 */
async function timerPrecision(s) {
  const fires = s.opts.quick ? 4 : s.opts.timerFires;
  const ref = `${s.fixture.pack}.bench_timer_${Date.now()}`;
  const seen = [];
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  const stop = s.notifier.onFrame((f) => {
    if (f.ruleRef === ref && ['completed', 'failed', 'timeout'].includes(f.status) && !seen.some((x) => x.id === f.id)) {
      seen.push(f);
      if (seen.length >= fires) resolveAll();
    }
  });
  await s.api.call('POST', '/api/v1/rules', {
    ref, pack_ref: s.fixture.pack, label: 'bench timer', description: 'npm run bench: timer precision',
    trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'seconds', interval: 1 },
    action_ref: 'core.echo', action_params: { message: '{{ event.payload.fired_at }}' }, enabled: true,
  });
  try {
    await Promise.race([all, new Promise((_, rej) => setTimeout(() => rej(new Error(`the 1 s timer gave ${seen.length} of ${fires} runs within ${fires * 3 + 10} s`)), (fires * 3 + 10) * 1000))]);
  } finally {
    stop();
    await s.api.call('DELETE', `/api/v1/rules/${ref}`, undefined, { allow: [404] });
  }
  const runs = [];
  for (const f of seen.slice(0, fires)) {
    const ex = await s.api.call('GET', `/api/v1/executions/${f.id}`);
    const params = ex.parameters || ex.config || {};
    const firedAt = Date.parse(params.message);
    runs.push({ firedAt, terminalMs: f.receivedMs });
  }
  runs.sort((a, b) => a.firedAt - b.firedAt);
  const first = runs[0].firedAt;
  const deviation = runs.map((r, i) => Math.abs(r.firedAt - (first + i * 1000)));
  return {
    fires: runs.length,
    deviation_from_schedule_ms: { ...summary(deviation), note: 'each fire against the first fire + n × 1000 ms' },
    fire_to_completed_ms: summary(runs.map((r) => r.terminalMs - r.firedAt)),
  };
}

/**
 * Offered load: `rate` executions per second for `seconds`, at most `inFlight` unfinished at once (an offer that finds
 * the bound full waits for a slot, so the achieved rate is reported too). Then waits for every execution to end.
 */
async function offerLoad(s, rate, seconds, inFlight) {
  const started = [];
  let active = 0;
  let slotFreed;
  const t0 = now();
  const total = Math.round(rate * seconds);
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (active >= inFlight) await new Promise((r) => (slotFreed = r));
    active += 1;
    const sent = now();
    pending.push(
      execute(s.api, NOOP)
        .then((ex) => {
          started.push({ id: ex.id, sent });
          return s.notifier.terminal(ex.id, 120_000).then((f) => ({ id: ex.id, sent, end: f.receivedMs, status: f.status }));
        })
        .catch((error) => ({ error: error.message, sent }))
        .finally(() => {
          active -= 1;
          if (slotFreed) slotFreed();
        }),
    );
  }
  const offeredSeconds = (now() - t0) / 1000;
  const results = await Promise.all(pending);
  const done = results.filter((r) => r.end);
  const lost = results.filter((r) => !r.end);
  const lastEnd = Math.max(...done.map((r) => r.end), t0);
  const statuses = {};
  for (const r of done) statuses[r.status] = (statuses[r.status] || 0) + 1;
  return {
    offered_per_s: rate,
    achieved_offer_per_s: round(total / offeredSeconds, 1),
    requested: total,
    terminal: done.length,
    lost: lost.length,
    lost_examples: lost.slice(0, 3).map((r) => r.error),
    statuses,
    completed_per_s: round(done.filter((r) => r.status === 'completed').length / ((lastEnd - t0) / 1000), 1),
    latency_ms: summary(done.map((r) => r.end - r.sent)),
  };
}

/** Throughput stepped up; the knee is the last step that kept up (≥ 90 % of the offer completed per second). */
async function throughput(s) {
  const steps = s.opts.quick ? [10, 20] : s.opts.steps;
  const seconds = s.opts.quick ? 2 : s.opts.stepSeconds;
  const out = [];
  for (const rate of steps) {
    const step = await offerLoad(s, rate, seconds, s.opts.inFlight);
    out.push(step);
    process.stdout.write(`  ${rate}/s: ${step.completed_per_s} completed/s, p99 ${step.latency_ms.p99} ms, lost ${step.lost}\n`);
  }
  const kept = out.filter((st) => st.completed_per_s >= 0.9 * st.offered_per_s && st.lost === 0);
  return { step_seconds: seconds, in_flight_bound: s.opts.inFlight, steps: out, knee_per_s: kept.length ? kept[kept.length - 1].offered_per_s : null, lost_total: out.reduce((n, st) => n + st.lost, 0) };
}

/** Notification delay: frame receipt − the row's `updated` in the frame (same clock), idle and under load. */
async function notificationDelay(s) {
  const idleRuns = s.opts.quick ? 10 : 200;
  const from = s.notifier.frames.length;
  for (let i = 0; i < idleRuns; i++) await s.notifier.terminal((await execute(s.api, NOOP)).id);
  const idle = s.notifier.frames.slice(from).map((f) => f.receivedMs - f.updatedMs);
  const loadRate = s.opts.quick ? 20 : 100;
  const mark = s.notifier.frames.length;
  const step = await offerLoad(s, loadRate, s.opts.quick ? 2 : 10, s.opts.inFlight);
  const loaded = s.notifier.frames.slice(mark).map((f) => f.receivedMs - f.updatedMs);
  return {
    idle_ms: { ...summary(idle), runs: idleRuns },
    under_load_ms: { ...summary(loaded), load_per_s: loadRate, completed_per_s: step.completed_per_s },
    note: 'the frame\'s receipt time minus the execution row\'s `updated` it carries; meaningful only on one clock',
  };
}

/** Throughput at a fixed offer with 1, 2 and 4 workers (supervisor control), and each service's RSS at the top. */
async function scale(s) {
  if (!s.target.control) return { skipped: 'no service control (ATTUNE_SERVICE_CONTROL): the worker count cannot be changed' };
  const counts = s.opts.quick ? [1, 2] : [1, 2, 4];
  const rate = s.opts.quick ? 20 : s.opts.scaleRate;
  const seconds = s.opts.quick ? 2 : s.opts.stepSeconds;
  const idleRss = await serviceRss(s.target);
  const out = [];
  const started = [];
  try {
    for (const n of counts) {
      for (let k = 2; k <= n; k++) {
        const name = `worker-${k}`;
        const list = (await services(s.target.control)) || {};
        if (!list[name] || list[name].state !== 'ready') {
          await controlService(s.target.control, name, 'start');
          started.push(name);
        }
      }
      await waitActiveWorkers(s, n);
      const step = await offerLoad(s, rate, seconds, s.opts.inFlight);
      const rss = await serviceRss(s.target);
      out.push({ workers: n, ...step, rss_mb_after: rss, rss_mb_total: round(Object.values(rss).reduce((a, b) => a + b, 0), 1) });
      process.stdout.write(`  ${n} worker(s): ${step.completed_per_s} completed/s at ${rate}/s offered, p99 ${step.latency_ms.p99} ms\n`);
    }
  } finally {
    for (const name of started.reverse()) await controlService(s.target.control, name, 'stop').catch(() => undefined);
  }
  return { offered_per_s: rate, idle_rss_mb: idleRss, idle_rss_mb_total: round(Object.values(idleRss).reduce((a, b) => a + b, 0), 1), by_workers: out };
}

/** Waits until the supervisor reports exactly the worker processes `worker`, `worker-2` … `worker-n` ready. */
async function waitActiveWorkers(s, n) {
  const until = Date.now() + 60_000;
  const wanted = ['worker', ...Array.from({ length: n - 1 }, (_, k) => `worker-${k + 2}`)];
  for (;;) {
    const list = (await services(s.target.control)) || {};
    const ready = Object.entries(list).filter(([name, v]) => /^worker(-\d+)?$/.test(name) && v && v.state === 'ready').map(([name]) => name);
    if (wanted.every((w) => ready.includes(w)) && ready.length === n) return n;
    if (Date.now() > until) throw new Error(`expected the worker processes ${wanted.join(', ')} ready, the supervisor reports ${ready.join(', ') || 'none'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

module.exports = { manualLatency, webhookLatency, timerPrecision, throughput, notificationDelay, scale };
