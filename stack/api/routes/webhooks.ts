import * as crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { ApiError, badRequest, forbidden, notFound, ok, unauthorized } from '../http';
import { isObject, presentTrigger, Row, triggerByRef } from '../lookups';
import { anyJson, bearer, dataOf, errors, nstr, object, refParams, str, TriggerResponse, WebhookReceiverResponse } from '../openapi';
import { asJson } from '../patch';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-depth';
import { writableOr404 } from '../scope';
import { parseExact } from '../../common/exact-json';
import { fault } from '../../common/faults';
import { triggerTarget } from './triggers';

const tags = ['webhooks'];
const RECEIVED_MESSAGE = 'Webhook received successfully';
const HIDDEN_HEADERS = new Set(['authorization', 'cookie', 'x-webhook-signature', 'x-hub-signature-256']);

/** Client address as Attune reads it: first X-Forwarded-For entry, else X-Real-IP, else the socket. */
export function clientIp(req: FastifyRequest): string {
  const fwd = req.headers['x-forwarded-for'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  if (first) return first;
  const real = req.headers['x-real-ip'];
  const r = (Array.isArray(real) ? real[0] : real)?.trim();
  return r || req.ip;
}

function ipv4ToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** True when `ip` equals an allow-list entry or falls inside an IPv4 CIDR entry. */
export function ipAllowed(ip: string, allowList: unknown[]): boolean {
  const plain = ip.replace(/^::ffff:/, '');
  for (const entry of allowList) {
    if (typeof entry !== 'string') continue;
    if (entry === ip || entry === plain) return true;
    const [net, bits] = entry.split('/');
    if (bits === undefined) continue;
    const n = ipv4ToInt(net);
    const a = ipv4ToInt(plain);
    const b = Number(bits);
    if (n === null || a === null || !Number.isInteger(b) || b < 0 || b > 32) continue;
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    if ((n & mask) === (a & mask)) return true;
  }
  return false;
}

/** Checks an HMAC signature (`sha256=<hex>` or bare hex) over the raw body. */
export function signatureValid(raw: Buffer, secret: string, algorithm: string, header: string): boolean {
  const given = header.includes('=') ? header.slice(header.indexOf('=') + 1) : header;
  let expected: Buffer;
  try {
    expected = crypto.createHmac(algorithm, secret).update(raw).digest();
  } catch {
    return false;
  }
  const got = Buffer.from(given.trim(), 'hex');
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

/** fault webhook-payload-flattened: nested objects are folded into dotted top-level keys (`{a: {b: 1}}` → `{"a.b": 1}`). */
function flattenNested(value: unknown, prefix = '', into: Record<string, unknown> = {}): unknown {
  if (!isObject(value)) return value;
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isObject(v)) flattenNested(v, key, into);
    else into[key] = v;
  }
  return into;
}

/** PostgreSQL text cannot hold NUL: a key or an error message quoting the caller's bytes would make the log insert fail. */
function textOnly(v: string | null): string | null {
  return v === null ? null : v.replace(/\u0000/g, '\ufffd');
}

function firstHeader(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Webhook management (triggers:update) and the unauthenticated receiver `POST /api/v1/webhooks/{webhook_key}`. */
export function registerWebhookRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  const managed = async (req: FastifyRequest<{ Params: { ref: string } }>): Promise<Row> => {
    const row = await triggerByRef(ctx.pool, req.params.ref);
    const missing = `Trigger '${req.params.ref}' not found`;
    if (!row) throw notFound(missing);
    await writableOr404(ctx, req, 'triggers', 'update', triggerTarget(row), missing);
    return row;
  };
  const reload = async (row: Row) => presentTrigger((await triggerByRef(ctx.pool, row.ref as string))!);

  app.post<{ Params: { ref: string } }>('/api/v1/triggers/:ref/webhooks/enable', {
    onRequest: auth,
    schema: {
      tags, summary: 'Enable webhooks for a trigger (an existing key is kept)', security: bearer, params: refParams(),
      response: { 200: dataOf(TriggerResponse, 'Webhooks enabled'), ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await managed(req);
    await ctx.pool.query(
      `SELECT * FROM enable_trigger_webhook($1, COALESCE((SELECT webhook_config FROM trigger WHERE id = $1), '{}'::jsonb))`,
      [row.id],
    );
    return ok(await reload(row), 'Webhooks enabled');
  });

  app.post<{ Params: { ref: string } }>('/api/v1/triggers/:ref/webhooks/disable', {
    onRequest: auth,
    schema: {
      tags, summary: 'Disable webhooks for a trigger (the key is forgotten)', security: bearer, params: refParams(),
      response: { 200: dataOf(TriggerResponse, 'Webhooks disabled'), ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const row = await managed(req);
    // fault webhook-key-survives-disable: webhooks are switched off but the key is kept (Attune nulls it)
    if (fault('webhook-key-survives-disable')) await ctx.pool.query('UPDATE trigger SET webhook_enabled = false WHERE id = $1', [row.id]);
    else await ctx.pool.query('SELECT disable_trigger_webhook($1)', [row.id]);
    return ok(await reload(row), 'Webhooks disabled');
  });

  app.post<{ Params: { ref: string } }>('/api/v1/triggers/:ref/webhooks/regenerate', {
    onRequest: auth,
    schema: {
      tags, summary: 'Replace the webhook key (the old key stops working at once)', security: bearer, params: refParams(),
      response: { 200: dataOf(TriggerResponse, 'Webhook key regenerated'), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const row = await managed(req);
    if (!row.webhook_enabled) throw badRequest(`Webhooks are not enabled for trigger '${row.ref}'`);
    // fault webhook-regenerate-keeps-old-key: the call answers 200 but the trigger keeps the key it had
    if (fault('webhook-regenerate-keeps-old-key')) return ok(await reload(row), 'Webhook key regenerated');
    try {
      await ctx.pool.query('SELECT * FROM regenerate_trigger_webhook_key($1)', [row.id]);
    } catch (err) {
      if ((err as { code?: string }).code === '55000') throw badRequest(`Webhooks are not enabled for trigger '${row.ref}'`);
      throw err;
    }
    return ok(await reload(row), 'Webhook key regenerated');
  });

  // The receiver reads the raw body itself (any content type): the HMAC covers the exact bytes,
  // and a body that is not JSON is a 400 `Invalid JSON payload`, not a content-type failure.
  app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    sub.post<{ Params: { webhook_key: string } }>('/api/v1/webhooks/:webhook_key', {
      attachValidation: true,
      schema: {
        tags,
        summary: 'Receive a webhook: creates an event on the trigger that owns the key (no authentication)',
        params: object({ webhook_key: str }, ['webhook_key']),
        body: object({ payload: anyJson, headers: { type: ['object', 'null'] }, source_ip: nstr, user_agent: nstr }, ['payload']),
        response: { 200: dataOf(WebhookReceiverResponse, 'Webhook received and event created'), ...errors(400, 401, 403, 404) },
      },
    }, async (req) => {
      const started = Date.now();
      const key = req.params.webhook_key;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const ip = clientIp(req);
      const agent = firstHeader(req, 'user-agent') ?? null;
      const headers: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HIDDEN_HEADERS.has(k)) headers[k] = v;

      const { rows } = await ctx.pool.query('SELECT * FROM trigger WHERE webhook_key = $1', [key]);
      const trig: Row | undefined = rows[0];
      const logRequest = async (status: number, error: string | null, extra: Record<string, unknown> = {}) => {
        await ctx.pool
          .query(
            `INSERT INTO webhook_event_log (trigger_id, trigger_ref, webhook_key, event_id, source_ip, user_agent, payload_size_bytes,
               headers, status_code, error_message, processing_time_ms, hmac_verified, ip_allowed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13)`,
            [
              trig?.id ?? null, trig?.ref ?? null, textOnly(key), extra.event_id ?? null, ip, agent, raw.length, asJson(headers),
              status, textOnly(error), Date.now() - started, extra.hmac_verified ?? null, extra.ip_allowed ?? null,
            ],
          )
          .catch((err) => ctx.log.warn({ err }, 'could not write webhook_event_log'));
      };
      const refuse = async (e: ApiError, extra: Record<string, unknown> = {}): Promise<never> => {
        await logRequest(e.status, e.message, extra);
        throw e;
      };

      if (!trig) return refuse(notFound('Invalid webhook key'));
      if (!trig.enabled && !fault('webhook-ignores-disabled-trigger')) return refuse(badRequest(`Trigger '${trig.ref}' is disabled`));
      if (!trig.webhook_enabled) return refuse(badRequest(`Webhooks are not enabled for trigger '${trig.ref}'`));
      const wcfg = isObject(trig.webhook_config) ? trig.webhook_config : {};
      const limitKb = wcfg.payload_size_limit_kb;
      if (typeof limitKb === 'number' && limitKb > 0 && raw.length > limitKb * 1024) {
        return refuse(badRequest(`Payload too large: ${raw.length} bytes exceeds the limit of ${limitKb} KB`));
      }
      let ipOk: boolean | null = null;
      const wl = wcfg.ip_whitelist;
      if (isObject(wl) && wl.enabled === true) {
        ipOk = ipAllowed(ip, Array.isArray(wl.ips) ? wl.ips : []);
        if (!ipOk) return refuse(forbidden(`IP address ${ip} is not allowed to call this webhook`), { ip_allowed: false });
      }
      let hmacOk: boolean | null = null;
      const hm = wcfg.hmac;
      if (isObject(hm) && hm.enabled === true) {
        const sig = firstHeader(req, 'x-webhook-signature') ?? firstHeader(req, 'x-hub-signature-256');
        if (!sig) return refuse(unauthorized('Missing webhook signature'), { hmac_verified: false, ip_allowed: ipOk });
        const algorithm = typeof hm.algorithm === 'string' ? hm.algorithm.toLowerCase() : 'sha256';
        if (typeof hm.secret !== 'string' || !signatureValid(raw, hm.secret, algorithm, sig)) {
          return refuse(unauthorized('Invalid webhook signature'), { hmac_verified: false, ip_allowed: ipOk });
        }
        hmacOk = true;
      }

      let body: unknown;
      if (raw.length === 0) return refuse(badRequest('Invalid JSON payload: empty body'));
      try {
        // fault webhook-bigint-rounded: the payload is read with JSON.parse, so an integer beyond 2^53 is rounded
        body = fault('webhook-bigint-rounded') ? JSON.parse(raw.toString('utf8')) : parseExact(raw.toString('utf8'));
      } catch (err) {
        return refuse(badRequest(`Invalid JSON payload: ${(err as Error).message}`));
      }
      if (jsonTooDeep(body)) return refuse(badRequest(`Invalid JSON payload: nested more than ${MAX_JSON_DEPTH} levels deep`));
      if (!isObject(body)) return refuse(badRequest('Invalid JSON payload: expected a JSON object with a `payload` field'));
      if (!Object.prototype.hasOwnProperty.call(body, 'payload')) return refuse(badRequest('Invalid JSON payload: missing field `payload`'));

      const receivedAt = new Date().toISOString();
      const config: Record<string, unknown> = {
        source: 'webhook',
        webhook_key: key,
        received_at: receivedAt,
        headers: isObject(body.headers) ? body.headers : headers,
        source_ip: typeof body.source_ip === 'string' ? body.source_ip : ip,
        user_agent: typeof body.user_agent === 'string' ? body.user_agent : agent,
        ...(hmacOk ? { hmac_verified: true } : {}),
      };
      const payload = fault('webhook-payload-flattened') ? flattenNested(body.payload) : body.payload;
      const ev = (
        await ctx.pool.query(
          `INSERT INTO event (trigger, trigger_ref, config, payload, source, source_ref, rule, rule_ref)
           VALUES ($1, $2, $3::jsonb, $4::jsonb, NULL, 'webhook', NULL, NULL) RETURNING id`,
          [trig.id, trig.ref, asJson(config), asJson(payload)],
        )
      ).rows[0];
      await logRequest(200, null, { event_id: ev.id, hmac_verified: hmacOk, ip_allowed: ipOk });
      await ctx.mq.publish('EventCreated', {
        event_id: ev.id,
        trigger_id: trig.id,
        trigger_ref: trig.ref,
        sensor_id: null,
        sensor_ref: 'webhook',
        payload: payload ?? {},
        config,
      });
      return ok({ event_id: ev.id, trigger_ref: trig.ref, received_at: receivedAt, message: RECEIVED_MESSAGE });
    });
  });
}
