import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Ajv from 'ajv';
import Fastify, { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, LogController } from 'fastify';
import type { ApiContext } from './context';
import { ApiError, badRequest, fromPgError } from './http';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth';
import { swaggerDocument } from './openapi';
import { isTransient } from '../common/outages';
import { registerActionRoutes } from './routes/actions';
import { registerAuthRoutes } from './routes/auth';
import { registerEnforcementRoutes } from './routes/enforcements';
import { registerEventRoutes } from './routes/events';
import { registerExecutionRoutes } from './routes/executions';
import { registerExecutionStreamRoutes } from './routes/execution-streams';
import { registerHealthRoutes } from './routes/health';
import { registerIdentityRoutes } from './routes/identities';
import { registerIntegrationTokenRoutes } from './routes/integration-tokens';
import { registerInquiryRoutes } from './routes/inquiries';
import { registerKeyRoutes } from './routes/keys';
import { registerPackRoutes } from './routes/packs';
import { registerPackRegistryRoutes } from './routes/pack-registry';
import { registerPermissionRoutes } from './routes/permissions';
import { registerPolicyRoutes } from './routes/policies';
import { registerRuleRoutes } from './routes/rules';
import { registerRuntimeRoutes } from './routes/runtimes';
import { registerSensorRoutes } from './routes/sensors';
import { registerTriggerRoutes } from './routes/triggers';
import { registerWebhookRoutes } from './routes/webhooks';
import { registerWorkerRoutes } from './routes/workers';
import { registerWorkflowRoutes } from './routes/workflows';
import { registerWorkflowFileRoutes } from './routes/workflow-files';
import { stringifyExact } from '../common/exact-json';

export const MULTIPART_LIMIT_BYTES = 100 * 1024 * 1024;

type AjvError = { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string };

/**
 * Two validators: request bodies are checked as sent (no type coercion: `"label": 5` is a 422),
 * path and query parameters arrive as text and are coerced to the declared types. Both fill
 * declared defaults, which is how Attune's "required but defaulted" body fields behave.
 */
function makeValidators() {
  const common = { useDefaults: true, allErrors: false, strict: false, validateFormats: false } as const;
  const bodyAjv = new Ajv({ ...common, coerceTypes: false });
  const paramAjv = new Ajv({ ...common, coerceTypes: 'array' });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : paramAjv.compile(schema);
}

/** "<field>: <message>" for the first schema violation. */
export function describeValidation(errors: AjvError[], context: string): string {
  const e = errors[0] ?? {};
  let field = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'required' && e.params && typeof e.params.missingProperty === 'string') {
    field = field ? `${field}.${e.params.missingProperty}` : e.params.missingProperty;
    message = 'missing required field';
  } else if (e.keyword === 'type' && e.params && e.params.type !== undefined) {
    message = `must be ${String(e.params.type).split(',').join(' or ')}`;
  } else if (e.keyword === 'enum' && e.params && Array.isArray(e.params.allowedValues)) {
    message = `must be one of ${e.params.allowedValues.map(String).join(', ')}`;
  }
  return `${field || context}: ${message}`;
}

/**
 * PostgreSQL errors of SQLSTATE class 22 (data exception: NUL bytes in text, malformed values)
 * and 23 (integrity) that fromPgError does not name are still the client's input: 400 / 409.
 */
export function fromPgDataError(err: unknown): ApiError | undefined {
  const e = err as { code?: unknown; severity?: unknown; message?: string };
  if (typeof e?.code !== 'string' || e.severity === undefined || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  if (e.code.startsWith('22')) return new ApiError(400, 'BAD_REQUEST', `Invalid value: ${e.message ?? e.code}`);
  if (e.code.startsWith('23')) return new ApiError(409, 'CONFLICT', `Constraint violation: ${e.message ?? e.code}`);
  return undefined;
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
};

export function errorReply(ctx: ApiContext) {
  return (err: FastifyError & { validationContext?: string }, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.body());
    if (err.validation) {
      const where = err.validationContext ?? 'body';
      const what = describeValidation(err.validation as AjvError[], where);
      if (where === 'body') return reply.code(422).send({ error: `Validation failed: ${what}`, code: 'VALIDATION_ERROR' });
      const label = where === 'params' ? 'path parameter' : where === 'querystring' ? 'query parameter' : where;
      return reply.code(400).send({ error: `Invalid ${label} ${what}`, code: 'BAD_REQUEST' });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ error: `Invalid JSON body: ${err.message}`, code: 'BAD_REQUEST' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({
          error: `Unsupported content type ${stringifyExact(req.headers['content-type'] ?? '')}: expected application/json`,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({ error: 'Request body is too large', code: 'PAYLOAD_TOO_LARGE' });
      default:
        break;
    }
    if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400) {
      return reply.code(400).send({ error: `Invalid JSON body: ${err.message}`, code: 'BAD_REQUEST' });
    }
    const pg = fromPgError(err) ?? fromPgDataError(err);
    if (pg) return reply.code(pg.status).send(pg.body());
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: err.message, code: STATUS_CODES[status] ?? 'BAD_REQUEST' });
    }
    if (isTransient(err)) {
      // the database or the broker is away for a moment (restarting, out of connections): the request may be repeated
      ctx.log.warn({ err: err.message, method: req.method, url: req.url }, 'request refused: infrastructure unavailable');
      return reply.code(503).header('retry-after', '1').send({ error: `Service temporarily unavailable: ${err.message}`, code: 'SERVICE_UNAVAILABLE' });
    }
    ctx.log.error({ err, method: req.method, url: req.url }, 'request failed');
    return reply.code(500).send({ error: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
  };
}

/** The API application: OpenAPI document, body parsing, error mapping and every route module. */
export async function buildServer(ctx: ApiContext): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.cfg.server.max_body_size,
    return503OnClosing: true,
    // Undecodable URLs (e.g. `%ZZ`) are answered before routing; keep the JSON error shape.
    frameworkErrors: (err, _req, reply) => {
      (reply as unknown as FastifyReply).code(400).send({ error: `Bad request: ${err.message}`, code: 'BAD_REQUEST' });
    },
  });

  app.setValidatorCompiler(makeValidators());
  // Response schemas document the shapes; they never filter what a handler returns.
  app.setSerializerCompiler(() => (data) => stringifyExact(data));
  app.setReplySerializer((data) => stringifyExact(data));

  // Bodies are JSON (or multipart for pack uploads); anything else is a 415.
  // JSON bodies: the default parser (prototype-poisoning safe), except that an empty body counts
  // as "no body" so bodiless POSTs such as /enable or /cancel work with any client.
  const jsonParser = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    return jsonParser(req, body as string, (err, parsed) => {
      if (!err && jsonTooDeep(parsed)) return done(badRequest(`Invalid JSON body: nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
      return done(err, parsed);
    });
  });

  app.setErrorHandler(errorReply(ctx));
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: `Route ${req.method} ${req.url} not found`, code: 'NOT_FOUND' });
  });

  await app.register(swagger, swaggerDocument);
  await app.register(multipart, { limits: { fileSize: MULTIPART_LIMIT_BYTES, files: 1, fields: 20 } });

  registerHealthRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerPackRoutes(app, ctx);
  registerPackRegistryRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  registerRuntimeRoutes(app, ctx);
  registerTriggerRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerRuleRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerEnforcementRoutes(app, ctx);
  registerExecutionStreamRoutes(app, ctx);
  registerExecutionRoutes(app, ctx);
  registerKeyRoutes(app, ctx);
  registerIdentityRoutes(app, ctx);
  registerIntegrationTokenRoutes(app, ctx);
  registerPermissionRoutes(app, ctx);
  registerPolicyRoutes(app, ctx);
  registerWorkflowRoutes(app, ctx);
  registerWorkflowFileRoutes(app, ctx);
  registerInquiryRoutes(app, ctx);
  registerSensorRoutes(app, ctx);
  registerWorkerRoutes(app, ctx);

  app.get('/api-spec/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
