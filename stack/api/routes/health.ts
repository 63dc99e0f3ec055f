import type { FastifyInstance } from 'fastify';
import { fault } from '../../common/faults';
import { QUEUES } from '../../common/models';
import { candidateWorkers, type WorkerRow } from '../../executor/worker-selection';
import type { ApiContext } from '../context';
import { API_VERSION, dataOf, int, object, str } from '../openapi';

const READINESS_PROBE_MS = 2_000;

async function databaseUp(ctx: ApiContext): Promise<string | null> {
  try {
    await ctx.pool.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Every registered action-capable worker, with its heartbeat age by the database clock. */
const ACTION_WORKERS = `
  SELECT id, name, worker_role, status, cordoned, capabilities,
         EXTRACT(EPOCH FROM (now() - last_heartbeat))::float8 AS heartbeat_age_seconds
    FROM worker
   WHERE worker_role IN ('action', 'hybrid')`;

/**
 * How many workers could take work right now, judged exactly as the executor's scheduler judges
 * candidates (active, not cordoned, heartbeat within 3 intervals; any runtime), or why none can.
 */
async function workersAvailable(ctx: ApiContext): Promise<{ fresh: number; problem: string | null }> {
  const interval = ctx.cfg.worker.heartbeat_interval;
  const { rows } = await ctx.pool.query<WorkerRow>(ACTION_WORKERS);
  const fresh = candidateWorkers(rows, null, interval).length;
  if (fresh > 0) return { fresh, problem: null };
  if (rows.length === 0) return { fresh, problem: 'no worker registered' };
  return {
    fresh,
    problem: `no worker available: ${rows.length} registered, none active with a heartbeat within ${3 * interval} s`,
  };
}

/** Whether the executor consumes execution requests (its queue exists and has a consumer). */
async function executorConsuming(ctx: ApiContext): Promise<string | null> {
  const queue = QUEUES.executionRequests.name;
  let channel: Awaited<ReturnType<ApiContext['mq']['channel']>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    channel = await ctx.mq.channel();
    channel.on('error', () => undefined); // a missing queue closes this probe channel only
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_PROBE_MS} ms`)), READINESS_PROBE_MS);
    });
    const q = await Promise.race([channel.checkQueue(queue), timeout]);
    return q.consumerCount > 0 ? null : `the executor is not consuming execution requests (no consumer on ${queue})`;
  } catch (err) {
    return `the executor is not consuming execution requests (${queue}: ${(err as Error).message})`;
  } finally {
    clearTimeout(timer);
    try {
      await channel?.close();
    } catch {
      /* already closed by the broker */
    }
  }
}

/** Health probes (no authentication) and the build identity under /api/v1/info. */
export function registerHealthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ['health'];

  app.get('/health', {
    schema: { tags, summary: 'Basic health check', response: { 200: object({ status: str }, ['status'], { description: 'Service is healthy' }) } },
  }, async () => ({ status: 'ok' }));

  app.get('/health/detailed', {
    schema: {
      tags,
      summary: 'Detailed health check (database connectivity, version)',
      response: {
        200: object({ status: str, version: str, database: str }, ['status', 'version', 'database'], { description: 'Service is healthy with details' }),
        503: object({ status: str, version: str, database: str, error: str }, ['status', 'database'], { description: 'Service unavailable' }),
      },
    },
  }, async (_req, reply) => {
    const problem = await databaseUp(ctx);
    if (problem) return reply.code(503).send({ status: 'error', version: API_VERSION, database: 'disconnected', error: problem });
    return { status: 'ok', version: API_VERSION, database: 'connected' };
  });

  app.get('/health/ready', {
    schema: {
      tags,
      summary: 'Readiness check: the platform can run an action now',
      description:
        'Ready (200) when the database answers, the executor consumes execution requests, and at least one ' +
        'action-capable worker is active with a heartbeat within 3 heartbeat intervals (the scheduler\'s own test). ' +
        'Otherwise 503 with `error` saying why. `/health` and `/health/live` only say the API process is up.',
      response: {
        200: object(
          { status: str, database: str, executor: str, workers: { ...int, description: 'workers that could take work now' } },
          ['status', 'database', 'executor', 'workers'],
          { description: 'Service is ready' },
        ),
        503: object({ status: str, error: str }, ['status', 'error'], { description: 'Service not ready' }),
      },
    },
  }, async (_req, reply) => {
    const dbProblem = await databaseUp(ctx);
    if (dbProblem) return reply.code(503).send({ status: 'not_ready', error: `database unavailable: ${dbProblem}` });
    const problems: string[] = [];
    let workers = 0;
    if (!fault('ready-before-worker')) {
      const found = await workersAvailable(ctx);
      workers = found.fresh;
      if (found.problem) problems.push(found.problem);
    }
    const executorProblem = await executorConsuming(ctx);
    if (executorProblem) problems.push(executorProblem);
    if (problems.length) return reply.code(503).send({ status: 'not_ready', error: problems.join('; ') });
    return { status: 'ready', database: 'connected', executor: 'consuming', workers };
  });

  app.get('/health/live', {
    schema: { tags, summary: 'Liveness check', response: { 200: object({ status: str }, ['status'], { description: 'Service is alive' }) } },
  }, async () => ({ status: 'alive' }));

  app.get('/api/v1/info', {
    schema: {
      tags,
      summary: 'Build identity of this server',
      response: { 200: dataOf(object({ name: str, version: str, implementation: str }, ['name', 'version'])) },
    },
  }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { data: { name: 'attune-reference-stack', version: API_VERSION, implementation: 'attune-acceptance reference stack' } };
  });
}
