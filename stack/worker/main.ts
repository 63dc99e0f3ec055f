/**
 * The worker process: registers itself, heartbeats, consumes its dispatch and cancel queues and
 * runs actions (at most worker.max_concurrent_tasks at once).
 */
import { config } from '../common/config';
import { fromRoot } from '../common/paths';
import { openDatabase } from '../common/db';
import { Mq } from '../common/mq';
import { runService } from '../common/service';
import { ActionRunner, type WorkerContext } from './action-runner';
import { sharedLauncher } from './launcher/client';
import { actionHelperLanguages } from './environments/action-helpers';
import { pruneOrphanEnvironments } from './environments/prune';
import { announceEnded, consumeCancels, consumeDispatches, declareWorkerQueues } from './consumers';
import { startHeartbeat } from './heartbeat';
import { endOrphanedExecutions, markInactive, registerWorker, WORKER_VERSION, workerName } from './registration';
import { detectRuntimes } from './runtimes';
import { containerCapability, sandboxStatus, withContainerRuntime } from './sandbox';
import { Slots } from './slots';
import { removeLeftoverRunFolders } from './temp-dirs';

runService('worker', async (log) => {
  const cfg = config();
  // the process launcher (stack/worker/launcher) starts now, so the first run does not wait for it
  if (cfg.worker.launcher !== false) sharedLauncher(log.child({ component: 'process-launcher' })).start();
  const pool = await openDatabase('worker');
  const mq = await Mq.connect('worker', log);
  const name = workerName();
  const maxConcurrent = Math.max(1, cfg.worker.max_concurrent_tasks);
  // the container runtime is offered only when a trial sandbox ran (stack/worker/sandbox/probe.ts)
  const sandbox = await sandboxStatus();
  const runtimes = withContainerRuntime(detectRuntimes(), sandbox, !!process.env.ATTUNE_WORKER_RUNTIMES?.trim());
  const workerId = await registerWorker(pool, name, { runtimes, max_concurrent_executions: maxConcurrent, worker_version: WORKER_VERSION, action_helpers: actionHelperLanguages(), container: containerCapability(sandbox) });
  const ctx: WorkerContext = { pool, mq, log: log.child({ worker_id: workerId }), workerId, workerName: name };
  const runner = new ActionRunner(ctx);
  log.info({ worker_id: workerId, name, runtimes, container: containerCapability(sandbox) }, 'worker registered');

  // A fresh process runs nothing: whatever an earlier process of this worker left running is lost.
  for (const row of await endOrphanedExecutions(pool, workerId, `Execution abandoned: worker ${name} restarted while it was running`)) {
    await announceEnded(ctx, runner, row);
  }

  // run folders a killed worker process could not remove (inline scripts hold parameters)
  await removeLeftoverRunFolders(pool).then(
    (removed) => removed && log.info({ removed }, 'leftover run folders of ended executions removed'),
    (err) => log.warn({ err }, 'could not remove leftover run folders'),
  );

  // dependency environments of packs deleted since (each scenario installs its own pack) would only pile up
  await pruneOrphanEnvironments(pool, fromRoot(cfg.runtime_envs_dir)).then(
    (removed) => removed.length && log.info({ removed: removed.length }, 'environments of deleted packs removed'),
    (err) => log.warn({ err }, 'could not prune the environments of deleted packs'),
  );
  await declareWorkerQueues(ctx);
  const slots = new Slots(maxConcurrent);
  const dispatches = await consumeDispatches(ctx, runner, slots, maxConcurrent + 2);
  await consumeCancels(ctx, runner);
  const stopHeartbeat = startHeartbeat(pool, workerId, cfg.worker.heartbeat_interval, log);

  return async () => {
    stopHeartbeat();
    await dispatches.stop();
    const graceMs = Math.min(Math.max(0, cfg.worker.shutdown_timeout), 5) * 1000;
    if (!(await runner.drain(graceMs))) {
      const ids = runner.activeIds;
      runner.abortAll('shutdown');
      const ended = await endOrphanedExecutions(pool, workerId, `Execution abandoned: worker ${name} stopped while it was running`, ids).catch((err) => {
        log.error({ err }, 'could not record abandoned executions');
        return [];
      });
      for (const row of ended) await announceEnded(ctx, runner, row);
      await runner.drain(1000);
    }
    await markInactive(pool, workerId).catch((err) => log.error({ err }, 'could not mark the worker inactive'));
    await mq.close();
    await pool.end();
  };
});
