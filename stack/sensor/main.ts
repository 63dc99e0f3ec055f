/**
 * The sensor service: runs the built-in timer sensor (core.timer_sensor) for every enabled rule
 * on core.intervaltimer / core.crontimer / core.datetimetimer, emitting events through the API,
 * and owns the processes of the packs' own sensors (managed/), started while a rule uses them.
 */
import * as path from 'node:path';
import { config } from '../common/config';
import { openDatabase } from '../common/db';
import { QUEUES } from '../common/models';
import { Mq } from '../common/mq';
import { fromRoot } from '../common/paths';
import { runService } from '../common/service';
import { apiBaseUrl } from './api-endpoint';
import { ApiEventEmitter } from './event-emitter';
import { registerSensor } from './registration';
import { ManagedSensors } from './managed/managed-sensors';
import { ProcessTable } from './managed/process-table';
import { RuleFollower } from './rule-follower';
import { SensorTokenSource } from './sensor-token';
import { TimerScheduler } from './timer-scheduler';

const FIRST_TOKEN_WAIT_MS = 5_000;

runService('sensor', async (log) => {
  // Started by the supervisor: if it dies without stopping us, stop on our own (no orphans).
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const cfg = config();
  const pool = await openDatabase('sensor', { max: 4 });
  const registration = await registerSensor(pool, log, cfg.sensor.heartbeat_interval);

  const baseUrl = apiBaseUrl();
  const tokens = new SensorTokenSource(baseUrl, log);
  // Fetch the token now; wait a little for it, the rest happens in the background with backoff.
  const first = tokens.refresh();
  first.catch(() => undefined);
  await Promise.race([first.catch(() => undefined), new Promise((r) => setTimeout(r, FIRST_TOKEN_WAIT_MS).unref())]);

  const emitter = new ApiEventEmitter(baseUrl, tokens, log);
  const scheduler = new TimerScheduler(
    (fire) => emitter.emit({ triggerRef: fire.triggerRef, ruleId: fire.ruleId, payload: fire.payload }).then(() => undefined),
    log,
  );
  const follower = new RuleFollower(pool, scheduler, log);

  const managed = new ManagedSensors(pool, {
    apiUrl: baseUrl,
    mqUrl: cfg.message_queue.url,
    logLevel: process.env.ATTUNE_LOG_LEVEL ?? cfg.log.level,
    packsDir: path.resolve(fromRoot(cfg.packs_base_dir)),
    table: new ProcessTable(pool, registration.id, log.child({ component: 'managed-sensors' })),
    log: log.child({ component: 'managed-sensors' }),
  });
  await managed.killLeftovers();

  const mq = await Mq.connect('sensor', log);
  await mq.declareQueue(QUEUES.rulesLifecycle);
  await follower.reconcile();
  await managed.reconcile();
  await mq.consume(
    QUEUES.rulesLifecycle.name,
    async (env) => {
      // the pack sensors follow in the background: a sensor's restart must not hold up the timers
      managed.handle(env);
      await follower.handle(env);
    },
    1,
  );
  follower.startPeriodicReconcile();
  managed.startPeriodicReconcile();
  log.info({ api: baseUrl, active_timers: scheduler.activeRuleIds().length, pack_sensors: managed.activeRefs() }, 'sensor service running');

  return async () => {
    follower.stop();
    await managed.stopAll();
    scheduler.stopAll();
    tokens.stop();
    await mq.close();
    await registration.stop();
    await pool.end().catch(() => undefined);
  };
});
