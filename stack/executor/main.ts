/**
 * The executor process: events → enforcements → executions → scheduling/dispatch, completion
 * handling, the timeout monitor and the workflow engine (workflow/).
 */
import { openDatabase } from '../common/db';
import { fault } from '../common/faults';
import { Mq } from '../common/mq';
import { QUEUES } from '../common/models';
import { runService } from '../common/service';
import { handleExecutionCompleted, handleExecutionStatusChanged } from './completion-listener';
import type { ExecutorContext } from './context';
import { handleEnforcementCreated } from './enforcement-processor';
import { handleEventCreated } from './event-processor';
import { startInquiries } from './inquiries';
import { startAdmissionSweeper } from './admission/sweep';
import { recoverPendingExecutions, startSchedulingSweeper } from './recovery';
import { handleExecutionRequested } from './scheduler';
import { onInquiryResponded } from './tier2-hooks';
import { startTimeoutMonitor } from './timeout-monitor';
import { startWorkflowSweeper } from './workflow/engine';

const PREFETCH = 10;

runService('executor', async (log) => {
  const pool = await openDatabase('executor');
  const mq = await Mq.connect('executor', log);
  const ctx: ExecutorContext = { pool, mq, log };

  const consumers: Array<[keyof typeof QUEUES, (ctx: ExecutorContext, env: import('../common/envelope').Envelope) => Promise<void>]> = [
    ['executorEvents', handleEventCreated],
    ['enforcements', handleEnforcementCreated],
    ['executionRequests', handleExecutionRequested],
    ['executionStatus', handleExecutionStatusChanged],
    ['executionCompleted', handleExecutionCompleted],
    ['inquiryResponses', onInquiryResponded],
  ];
  for (const [key] of consumers) await mq.declareQueue(QUEUES[key]);
  // fault executor-purges-queues-at-start: a "clean start" throws away what was published while the executor was down
  if (fault('executor-purges-queues-at-start')) {
    const ch = await mq.channel();
    for (const [key] of consumers) await ch.purgeQueue(QUEUES[key].name);
    await ch.close();
  }
  for (const [key, handler] of consumers) {
    await mq.consume(QUEUES[key].name, (env) => handler(ctx, env), PREFETCH);
  }
  await recoverPendingExecutions(ctx);
  const stopMonitor = startTimeoutMonitor(ctx);
  const stopSweeper = startWorkflowSweeper(ctx);
  const stopInquiries = startInquiries(ctx);
  const stopSchedulingSweeper = startSchedulingSweeper(ctx);
  const stopAdmissionSweeper = startAdmissionSweeper(ctx);

  return async () => {
    // first no new messages, and the ones being handled finished (a half-scheduled execution is never left behind)
    await mq.stopConsuming(5_000);
    await stopSchedulingSweeper();
    await stopAdmissionSweeper();
    await stopInquiries();
    await stopSweeper();
    await stopMonitor();
    await mq.close();
    await pool.end();
  };
});
