/**
 * The worker's own queues (declared after registration, they carry its id):
 *  - worker.<id>.executions (TTL 300 s, dead letters to attune.dlx) bound to
 *    execution.dispatch.worker.<id>: consumed on a dedicated channel with prefetch
 *    max_concurrent_tasks + 2; a message is acked once a run slot is taken and the run started
 *    (failures are reported through execution status, never through nacks);
 *  - worker.<id>.cancel bound to execution.cancel.worker.<id>: aborts the running process.
 */
import type amqp from 'amqplib';
import { parseEnvelope, requireId, type Envelope } from '../common/envelope';
import {
  EXCHANGES, WORKER_QUEUE_TTL_MS, workerCancelKey, workerCancelQueue, workerDispatchKey, workerExecutionsQueue,
} from '../common/models';
import type { ActionRunner, WorkerContext } from './action-runner';
import { endOrphanedExecutions } from './registration';
import type { Slots } from './slots';

export async function declareWorkerQueues(ctx: WorkerContext): Promise<void> {
  const id = ctx.workerId;
  await ctx.mq.declareQueue(
    { name: workerExecutionsQueue(id), exchange: EXCHANGES.executions, keys: [workerDispatchKey(id)], dlx: true },
    { 'x-message-ttl': WORKER_QUEUE_TTL_MS },
  );
  await ctx.mq.declareQueue({ name: workerCancelQueue(id), exchange: EXCHANGES.executions, keys: [workerCancelKey(id)], dlx: false });
}

export interface DispatchConsumer {
  stop(): Promise<void>;
}

export async function consumeDispatches(ctx: WorkerContext, runner: ActionRunner, slots: Slots, prefetch: number): Promise<DispatchConsumer> {
  let stopping = false;
  let ch: amqp.Channel | undefined;
  const queue = workerExecutionsQueue(ctx.workerId);
  // the dispatch channel is the worker's own: opened now, and again whenever the broker connection comes back
  const open = async (): Promise<void> => {
    if (stopping) return;
    const channel: amqp.Channel = await ctx.mq.channel();
    ch = channel;
    channel.on('error', (err) => ctx.log.error({ err }, 'dispatch channel error'));
    await channel.prefetch(prefetch);
    await channel.consume(queue, (msg) => {
      if (!msg) return;
      let env: Envelope;
      let executionId: number;
      try {
        env = parseEnvelope(msg.content);
        executionId = requireId(env.payload, 'execution_id');
      } catch (err) {
        ctx.log.warn({ queue, err: (err as Error).message, body: msg.content.toString('utf8').slice(0, 500) }, 'rejecting malformed dispatch');
        try {
          channel.nack(msg, false, false);
        } catch {
          /* the channel went: the broker redelivers it */
        }
        return;
      }
      void slots.acquire().then(() => {
        if (stopping) {
          slots.release(); // left unacked: requeued when the channel closes
          return;
        }
        try {
          channel.ack(msg);
        } catch (err) {
          // the connection went before the ack: the broker redelivers this dispatch, and the runner's claim of the
          // row (scheduled → running) lets only one of the two deliveries run it
          ctx.log.warn({ err, execution_id: executionId }, 'could not ack dispatch');
        }
        void runner.start(executionId, env.correlation_id).finally(() => slots.release());
      });
    });
  };
  await open();
  ctx.mq.onReconnect(open);
  return {
    async stop() {
      stopping = true;
      await ch?.close().catch(() => undefined);
    },
  };
}

export async function consumeCancels(ctx: WorkerContext, runner: ActionRunner): Promise<void> {
  await ctx.mq.consume(workerCancelQueue(ctx.workerId), async (env) => {
    const executionId = requireId(env.payload, 'execution_id');
    if (runner.abort(executionId, 'cancel')) {
      ctx.log.info({ execution_id: executionId }, 'cancel requested; process signalled');
      return;
    }
    // Not running here (finished already, or a previous process of this worker ran it): if the
    // row still waits in `canceling` on this worker, nobody else will end it.
    const ended = await endOrphanedExecutions(ctx.pool, ctx.workerId, 'Execution cancelled by user', [executionId]);
    for (const row of ended) {
      ctx.log.info({ execution_id: row.id, status: row.status }, 'cancel of an execution not running here');
      await announceEnded(ctx, runner, row, env.correlation_id);
    }
  });
}

export async function announceEnded(
  ctx: WorkerContext,
  runner: ActionRunner,
  row: { id: number; action: number | null; action_ref: string; status: string; previous_status: string; result: unknown; updated: Date },
  correlationId?: string,
): Promise<void> {
  const at = row.updated.toISOString();
  await Promise.all([
    runner.publishSafe('ExecutionStatusChanged', { execution_id: row.id, action_ref: row.action_ref, previous_status: row.previous_status, new_status: row.status, changed_at: at }, correlationId),
    runner.publishSafe('ExecutionCompleted', { execution_id: row.id, action_id: row.action ?? 0, action_ref: row.action_ref, status: row.status, result: row.result, completed_at: at }, correlationId),
  ]);
}
