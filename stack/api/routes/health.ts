import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context';
import { API_VERSION, dataOf, object, str } from '../openapi';

async function databaseUp(ctx: ApiContext): Promise<string | null> {
  try {
    await ctx.pool.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message;
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
      summary: 'Readiness check',
      response: {
        200: object({ status: str }, ['status'], { description: 'Service is ready' }),
        503: object({ status: str, error: str }, ['status'], { description: 'Service not ready' }),
      },
    },
  }, async (_req, reply) => {
    const problem = await databaseUp(ctx);
    if (problem) return reply.code(503).send({ status: 'not_ready', error: problem });
    return { status: 'ready' };
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
