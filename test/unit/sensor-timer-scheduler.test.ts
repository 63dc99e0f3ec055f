import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from '../../stack/common/log';
import { TimerFire, TimerScheduler } from '../../stack/sensor/timer-scheduler';

function fakeLog() {
  const lines: { level: string; msg: string; obj: unknown }[] = [];
  const at = (level: string) => (obj: unknown, msg?: string) => lines.push({ level, msg: msg ?? String(obj), obj });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), trace: at('trace'), fatal: at('fatal') } as unknown as Logger;
  return { log, lines };
}

function collector() {
  const fires: TimerFire[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  return {
    fires,
    onFire: (f: TimerFire) => {
      fires.push(f);
      if (waiter && fires.length >= waiter.n) waiter.resolve();
    },
    waitFor: (n: number, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        if (fires.length >= n) return resolve();
        const t = setTimeout(() => reject(new Error(`only ${fires.length}/${n} fires`)), timeoutMs);
        waiter = { n, resolve: () => (clearTimeout(t), resolve()) };
      }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('interval timer: drift-free 1 s fires with counts and payload', async () => {
  const c = collector();
  const { log } = fakeLog();
  const s = new TimerScheduler(c.onFire, log);
  const t0 = Date.now();
  assert.equal(s.upsert({ id: 1, ref: 't.every_second', trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'seconds', interval: 1 } }), 'scheduled');
  await c.waitFor(3, 5_000);
  s.stopAll();
  const [a, b, d] = c.fires;
  assert.deepEqual(c.fires.map((f) => f.payload.execution_count), [1, 2, 3]);
  assert.equal(a.payload.type, 'interval');
  assert.equal(a.payload.interval_seconds, 1);
  assert.equal(a.payload.sensor_ref, 'core.timer_sensor');
  assert.equal(a.triggerRef, 'core.intervaltimer');
  assert.ok(a.dueAt.getTime() - t0 >= 1000 && a.dueAt.getTime() - t0 < 1050, 'first fire one interval after scheduling');
  assert.equal(b.dueAt.getTime() - a.dueAt.getTime(), 1000);
  assert.equal(d.dueAt.getTime() - b.dueAt.getTime(), 1000);
  for (const f of c.fires) assert.ok(f.lateMs >= 0 && f.lateMs < 50, `lateness ${f.lateMs} ms`);
});

test('cron timer fires on whole seconds with scheduled_at / next_fire_at', async () => {
  const c = collector();
  const { log } = fakeLog();
  const s = new TimerScheduler(c.onFire, log);
  s.upsert({ id: 2, ref: 't.cron', trigger_ref: 'core.crontimer', trigger_params: { expression: '* * * * * *' } });
  await c.waitFor(2, 3_500);
  s.stopAll();
  const [a, b] = c.fires;
  assert.equal(a.payload.type, 'cron');
  assert.equal(a.payload.timezone, 'UTC');
  assert.equal(a.dueAt.getTime() % 1000, 0);
  assert.equal(b.dueAt.getTime() - a.dueAt.getTime(), 1000);
  assert.equal(a.payload.next_fire_at, b.payload.scheduled_at);
  assert.equal(new Date(String(a.payload.fired_at)).getUTCSeconds(), a.dueAt.getUTCSeconds());
  assert.deepEqual(c.fires.map((f) => f.payload.execution_count), [1, 2]);
});

test('date timer: future fires once, past never fires and warns naming the rule', async () => {
  const c = collector();
  const { log, lines } = fakeLog();
  const s = new TimerScheduler(c.onFire, log);
  const fireAt = new Date(Date.now() + 300).toISOString();
  s.upsert({ id: 3, ref: 't.once', trigger_ref: 'core.datetimetimer', trigger_params: { fire_at: fireAt } });
  assert.equal(s.upsert({ id: 4, ref: 't.past', trigger_ref: 'core.datetimetimer', trigger_params: { fire_at: '2020-01-01T00:00:00Z' } }), 'done');
  assert.ok(lines.some((l) => l.level === 'warn' && l.msg.includes('t.past')));
  await c.waitFor(1, 2_000);
  await sleep(200);
  assert.equal(c.fires.length, 1);
  assert.equal(c.fires[0].payload.type, 'one_shot');
  assert.equal(c.fires[0].payload.fire_at, fireAt);
  assert.equal(s.state(3), 'done');
  // reconcile with the same rule does not re-arm a fired one-shot
  s.sync([{ id: 3, ref: 't.once', trigger_ref: 'core.datetimetimer', trigger_params: { fire_at: fireAt } }]);
  assert.equal(s.state(3), 'done');
  s.stopAll();
});

test('bad trigger_params are logged once per parameter set and never throw', () => {
  const { log, lines } = fakeLog();
  const s = new TimerScheduler(() => undefined, log);
  const bad = [
    { id: 5, ref: 't.bad_cron', trigger_ref: 'core.crontimer', trigger_params: { expression: '* * * *' } },
    { id: 6, ref: 't.bad_interval', trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'seconds', interval: 0 } },
    { id: 7, ref: 't.bad_unit', trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'weeks', interval: 1 } },
    { id: 8, ref: 't.bad_date', trigger_ref: 'core.datetimetimer', trigger_params: { fire_at: 'tomorrow' } },
    { id: 9, ref: 't.bad_tz', trigger_ref: 'core.crontimer', trigger_params: { expression: '0 * * * * *', timezone: 'Mars/Base' } },
  ];
  s.sync(bad);
  for (const r of bad) {
    assert.equal(s.state(r.id), 'rejected');
    assert.ok(lines.some((l) => l.level === 'error' && l.msg.includes(r.ref)), `error names ${r.ref}`);
  }
  const errors = lines.filter((l) => l.level === 'error').length;
  s.sync(bad);
  assert.equal(lines.filter((l) => l.level === 'error').length, errors, 'no repeated errors on reconcile');
  s.stopAll();
});

test('cancel and sync stop schedules at once', async () => {
  const c = collector();
  const { log } = fakeLog();
  const s = new TimerScheduler(c.onFire, log);
  const rule = { id: 10, ref: 't.x', trigger_ref: 'core.intervaltimer', trigger_params: { interval: 1 } };
  s.upsert(rule);
  s.upsert({ id: 11, ref: 't.y', trigger_ref: 'core.intervaltimer', trigger_params: { interval: 1 } });
  assert.deepEqual(s.activeRuleIds().sort(), [10, 11]);
  assert.equal(s.cancel(10), true);
  assert.deepEqual(s.sync([]), { added: 0, removed: 1 });
  assert.deepEqual(s.activeRuleIds(), []);
  await sleep(1_200);
  assert.equal(c.fires.length, 0);
  // unchanged params keep the schedule, changed params rebuild it
  assert.equal(s.upsert(rule), 'scheduled');
  assert.equal(s.upsert({ ...rule }), 'unchanged');
  assert.equal(s.upsert({ ...rule, trigger_params: { interval: 2 } }), 'scheduled');
  s.stopAll();
});
