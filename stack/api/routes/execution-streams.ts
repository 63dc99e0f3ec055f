/**
 * Server-Sent Events about executions (Attune 0.2.1): GET /api/v1/executions/stream sends every change of the
 * executions the caller may read (optionally of one execution) as it happens; each event is the database's notify
 * payload as data, with SSE's default event name, as Attune's API sends it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fault } from '../../common/faults';
import { allowed } from '../authz';
import type { ApiContext } from '../context';
import { ExecutionUpdateHub, type ExecutionUpdate } from '../execution-updates';
import { guard } from '../guards';
import { packOfRef } from '../lookups';
import { bearer, errors, object } from '../openapi';

const tags = ['executions'];

/** SSE keep-alive comment interval (Attune's axum default). */
const KEEP_ALIVE_MS = 15_000;
/** How many executions' visibility a stream remembers (a long-lived stream sees many runs). */
const VISIBILITY_CACHE = 1_000;

const eventStream = (description: string) => ({ description, content: { 'text/event-stream': { schema: { type: 'string' } } } });

/** One SSE event: `event:` when named, then the data, one `data:` line per line of text. */
export function sseEvent(data: string, opts: { event?: string; id?: string } = {}): string {
  const head = `${opts.id !== undefined ? `id: ${opts.id}\n` : ''}${opts.event ? `event: ${opts.event}\n` : ''}`;
  return `${head}${data.split(/\r?\n/).map((line) => `data: ${line}`).join('\n')}\n\n`;
}

/** Starts an SSE answer on the raw response; returns a write function that is a no-op once the client left. */
export function openEventStream(req: FastifyRequest, reply: FastifyReply, onClose: () => void): (chunk: string) => void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let open = true;
  const keepAlive = setInterval(() => write(':\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(keepAlive);
    onClose();
  };
  req.raw.on('close', close);
  res.on('close', close);
  res.on('error', close);
  function write(chunk: string): void {
    if (open) res.write(chunk);
  }
  return write;
}

export function registerExecutionStreamRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);
  const hub = new ExecutionUpdateHub(ctx.log);
  app.addHook('onClose', async () => hub.stop());

  app.get<{ Querystring: { execution_id?: number } }>('/api/v1/executions/stream', {
    onRequest: auth,
    schema: {
      tags, summary: 'Stream execution updates via Server-Sent Events', security: bearer,
      description:
        'Every creation and status change of an execution the caller may read, as it happens (optionally only of ' +
        '`execution_id`): one event per change, SSE default event name, the data being the change\'s JSON ' +
        '(`entity_type` "execution", `entity_id`, `status`, `old_status` on a change, `action_ref`, …). A comment ' +
        'line keeps the connection alive every 15 s.',
      querystring: object({ execution_id: { type: 'integer', minimum: 1, description: 'only updates of this execution' } }),
      response: { 200: eventStream('SSE stream of execution updates'), ...errors(400, 401) },
    },
  }, async (req, reply) => {
    const only = req.query.execution_id;
    const seen = new Map<number, boolean>();
    const mayRead = async (update: ExecutionUpdate): Promise<boolean> => {
      const id = update.fields.entity_id as number;
      const known = seen.get(id);
      if (known !== undefined) return known;
      let actionRef = update.fields.action_ref as string | undefined;
      let owner = update.fields.executor as number | null | undefined;
      if (actionRef === undefined) {
        const row = (await ctx.pool.query('SELECT action_ref, executor FROM execution WHERE id = $1', [id])).rows[0];
        if (!row) return false;
        actionRef = row.action_ref as string;
        owner = row.executor as number | null;
      }
      // fault execution-stream-unscoped: every caller hears of every execution
      const verdict = fault('execution-stream-unscoped') ||
        (await allowed(ctx, req, 'executions', 'read', { pack_ref: packOfRef(actionRef), owner: owner ?? null, ref: actionRef, id }));
      if (seen.size >= VISIBILITY_CACHE) seen.delete(seen.keys().next().value as number);
      seen.set(id, verdict);
      return verdict;
    };
    // updates are written in the order they arrived, each after its visibility check; the stream is answered only
    // once the LISTEN is up, so a client that has its answer misses no later change
    let chain: Promise<void> = Promise.resolve();
    let write: ((chunk: string) => void) | undefined;
    const pending: string[] = [];
    const unsubscribe = await hub.subscribe((update) => {
      if (only !== undefined && update.fields.entity_id !== only) return;
      // fault execution-stream-skips-running: the stream never tells that a run started
      if (fault('execution-stream-skips-running') && update.fields.status === 'running') return;
      chain = chain.then(async () => {
        if (!(await mayRead(update).catch(() => false))) return;
        const event = sseEvent(update.text);
        if (write) write(event);
        else pending.push(event);
      });
    });
    write = openEventStream(req, reply, unsubscribe);
    for (const event of pending.splice(0)) write(event);
  });
}
