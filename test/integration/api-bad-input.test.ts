/**
 * (e) Bad input never yields a 5xx: a table of malformed requests (broken JSON, wrong types,
 * unknown and duplicate refs, invalid schedules, bad tokens, oversized bodies, NUL bytes, out-of-range
 * ids) each answers 4xx with a JSON error body, and afterwards every service is still the same,
 * ready process (supervisor `/services`) and the api still serves a normal request.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createPack, createTrigger, enableWebhook } from './lib/fixtures';
import { call, dataOf, login, sendLarge, services, type ServiceSnapshot } from './lib/http';
import { adminToken } from './lib/jwt';
import { JWT_SECRET, logTail, useItestStack } from './lib/itest-stack';

useItestStack();

type TokenKind = 'admin' | 'none' | 'refresh' | 'foreign' | 'expired' | 'garbage' | 'sensor' | 'basic';

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  token?: TokenKind;
  body?: unknown;
  headers?: Record<string, string>;
  /** The exact status when the contract names one; otherwise any 4xx. */
  status?: number;
  /**
   * Sent with Content-Length, headers first, so the server can refuse before the body is on the
   * wire. (A chunked oversized body is not in the table: the server answers 413 after reading the
   * limit and closes, and a client still writing may see the reset before it reads the answer.)
   */
  large?: 'length';
}

const MB = 1024 * 1024;
const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const deepArray = (n: number) => '['.repeat(n) + ']'.repeat(n);

let webhookKey = '';

const CASES: Case[] = [
  // Malformed bodies
  { name: 'login: truncated JSON', method: 'POST', path: '/auth/login', body: '{"login": "x", "password":', status: 400 },
  { name: 'login: JSON array body', method: 'POST', path: '/auth/login', body: '[]' },
  { name: 'login: empty body declared as JSON', method: 'POST', path: '/auth/login', body: '', status: 422 },
  { name: 'login: login is a number', method: 'POST', path: '/auth/login', body: { login: 123, password: 'x' } },
  { name: 'login: wrong password', method: 'POST', path: '/auth/login', body: { login: 'test@attune.local', password: 'wrong-password' }, status: 401 },
  { name: 'login: text/plain body', method: 'POST', path: '/auth/login', body: 'login=x', headers: { 'content-type': 'text/plain' }, status: 415 },
  { name: 'login: invalid UTF-8 in JSON', method: 'POST', path: '/auth/login', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) },
  { name: 'login: __proto__ key', method: 'POST', path: '/auth/login', body: '{"login":"a","password":"b","__proto__":{"admin":true}}' },
  { name: 'register: password too short', method: 'POST', path: '/auth/register', body: { login: 'itest-short', password: 'x' } },
  { name: 'register: duplicate login', method: 'POST', path: '/auth/register', body: { login: 'test@attune.local', password: 'Whatever123!' }, status: 409 },
  { name: 'refresh: not a JWT', method: 'POST', path: '/auth/refresh', body: { refresh_token: 'not-a-jwt' }, status: 401 },
  { name: 'refresh: token of the wrong type', method: 'POST', path: '/auth/refresh', token: 'none', body: { refresh_token: '__ACCESS__' }, status: 401 },
  // Bad tokens
  { name: 'me: no token', method: 'GET', path: '/auth/me', token: 'none', status: 401 },
  { name: 'me: garbage bearer', method: 'GET', path: '/auth/me', token: 'garbage', status: 401 },
  { name: 'me: token signed with another secret', method: 'GET', path: '/auth/me', token: 'foreign', status: 401 },
  { name: 'me: expired token', method: 'GET', path: '/auth/me', token: 'expired', status: 401 },
  { name: 'me: refresh token as bearer', method: 'GET', path: '/auth/me', token: 'refresh', status: 401 },
  { name: 'me: Basic scheme', method: 'GET', path: '/auth/me', token: 'basic', status: 401 },
  { name: 'events: user token where only sensor tokens may post', method: 'POST', path: '/api/v1/events', body: { trigger_ref: 'core.webhook', payload: {} }, status: 403 },
  // Ids, paging, enum path parameters
  { name: 'execution id not a number', method: 'GET', path: '/api/v1/executions/abc', status: 400 },
  { name: 'execution id beyond BIGINT', method: 'GET', path: '/api/v1/executions/99999999999999999999' },
  { name: 'event id just beyond BIGINT', method: 'GET', path: '/api/v1/events/9223372036854775808' },
  { name: 'execution id negative', method: 'GET', path: '/api/v1/executions/-1' },
  { name: 'paging: page=-1', method: 'GET', path: '/api/v1/executions?page=-1', status: 400 },
  { name: 'paging: per_page=abc', method: 'GET', path: '/api/v1/executions?per_page=abc', status: 400 },
  { name: 'executions by unknown status', method: 'GET', path: '/api/v1/executions/status/notastatus', status: 400 },
  // Unknown refs
  { name: 'unknown action', method: 'GET', path: '/api/v1/actions/itest.no_such_action', status: 404 },
  { name: 'execute: unknown action', method: 'POST', path: '/api/v1/executions/execute', body: { action_ref: 'itest.nope', parameters: {}, env_vars: {} }, status: 404 },
  { name: 'rule: unknown trigger', method: 'POST', path: '/api/v1/rules', body: { ref: 'itest_bad.r1', pack_ref: 'itest_bad', label: 'r', action_ref: 'core.echo', trigger_ref: 'itest.nope' }, status: 404 },
  { name: 'rule: unknown pack', method: 'POST', path: '/api/v1/rules', body: { ref: 'nopack.r1', pack_ref: 'nopack', label: 'r', action_ref: 'core.echo', trigger_ref: 'core.intervaltimer' }, status: 404 },
  { name: 'trigger: unknown pack', method: 'POST', path: '/api/v1/triggers', body: { ref: 'nopack.t', pack_ref: 'nopack', label: 't' }, status: 404 },
  { name: 'webhook: unknown key', method: 'POST', path: '/api/v1/webhooks/wh_no_such_key', token: 'none', body: { payload: {} }, status: 404 },
  // Wrong types
  { name: 'execute: parameters is a string', method: 'POST', path: '/api/v1/executions/execute', body: { action_ref: 'core.echo', parameters: 'x', env_vars: {} }, status: 422 },
  { name: 'execute: action_ref missing', method: 'POST', path: '/api/v1/executions/execute', body: { parameters: {}, env_vars: {} }, status: 422 },
  { name: 'execute: negative timeout', method: 'POST', path: '/api/v1/executions/execute', body: { action_ref: 'core.echo', parameters: {}, env_vars: {}, timeout_seconds: -5 }, status: 422 },
  { name: 'execute: env var value is an object', method: 'POST', path: '/api/v1/executions/execute', body: { action_ref: 'core.echo', parameters: {}, env_vars: { A: { b: 1 } } }, status: 422 },
  // (a parameter of the wrong type is not bad input to the API: as in Attune it is accepted and the executor ends the run
  // failed naming it; features/tier3/invalid-parameters.feature and test/unit/executor-parameters.test.ts)
  { name: 'pack: version is a number', method: 'POST', path: '/api/v1/packs', body: { ref: 'itest_badver', label: 'x', version: 1 } },
  { name: 'pack: ref with spaces and symbols', method: 'POST', path: '/api/v1/packs', body: { ref: 'Bad Ref!', label: 'x', version: '1.0.0' } },
  { name: 'rule: conditions is a string', method: 'POST', path: '/api/v1/rules', body: { ref: 'itest_bad.r2', pack_ref: 'itest_bad', label: 'r', action_ref: 'core.echo', trigger_ref: 'itest_bad.hook', conditions: 'x' } },
  { name: 'key: value missing', method: 'POST', path: '/api/v1/keys', body: { ref: 'itest_bad_k2', owner_type: 'identity', name: 'k2' }, status: 422 },
  { name: 'key: owner_identity beyond BIGINT', method: 'POST', path: '/api/v1/keys', body: '{"ref":"itest_bad_k3","owner_type":"identity","owner_identity":99999999999999999999,"name":"k3","value":1}' },
  { name: 'key: unknown owner_type', method: 'POST', path: '/api/v1/keys', body: { ref: 'itest_bad_k4', owner_type: 'planet', name: 'k4', value: 1 }, status: 422 },
  // Duplicates
  { name: 'pack: duplicate ref core', method: 'POST', path: '/api/v1/packs', body: { ref: 'core', label: 'x', version: '1.0.0' }, status: 409 },
  { name: 'trigger: duplicate ref', method: 'POST', path: '/api/v1/triggers', body: { ref: 'itest_bad.hook', pack_ref: 'itest_bad', label: 'dup' }, status: 409 },
  { name: 'key: duplicate ref', method: 'POST', path: '/api/v1/keys', body: { ref: 'itest_bad_key', owner_type: 'identity', name: 'other', value: 1 }, status: 409 },
  // Timer schedules
  { name: 'rule: invalid cron expression', method: 'POST', path: '/api/v1/rules', body: { ref: 'itest_bad.cron', pack_ref: 'itest_bad', label: 'c', action_ref: 'core.echo', trigger_ref: 'core.crontimer', trigger_params: { expression: 'not a cron' } }, status: 422 },
  { name: 'rule: cron with 99 in the minute field', method: 'POST', path: '/api/v1/rules', body: { ref: 'itest_bad.cron2', pack_ref: 'itest_bad', label: 'c', action_ref: 'core.echo', trigger_ref: 'core.crontimer', trigger_params: { expression: '0 99 * * * *' } }, status: 422 },
  { name: 'rule: interval as a string', method: 'POST', path: '/api/v1/rules', body: { ref: 'itest_bad.int', pack_ref: 'itest_bad', label: 'i', action_ref: 'core.echo', trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'seconds', interval: 'often' } }, status: 422 },
  // Huge bodies
  { name: 'pack: 11 MB body', method: 'POST', path: '/api/v1/packs', large: 'length', body: { ref: 'itest_huge', label: 'x', version: '1.0.0', description: 'x'.repeat(11 * MB) }, status: 413 },
  { name: 'webhook: 11 MB body', method: 'POST', path: () => `/api/v1/webhooks/${webhookKey}`, token: 'none', large: 'length', body: { payload: { blob: 'x'.repeat(11 * MB) } }, status: 413 },
  { name: 'execute: 5000-deep nested parameters', method: 'POST', path: '/api/v1/executions/execute', body: `{"action_ref":"core.echo","env_vars":{},"parameters":${deep(5000)}}`, status: 400 },
  { name: 'webhook: 100000-deep nested array', method: 'POST', path: () => `/api/v1/webhooks/${webhookKey}`, token: 'none', body: `{"payload":${deepArray(100_000)}}`, status: 400 },
  { name: 'webhook: body is not JSON', method: 'POST', path: () => `/api/v1/webhooks/${webhookKey}`, token: 'none', body: 'payload=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 400 },
  // NUL bytes
  { name: 'NUL: in a path ref', method: 'GET', path: '/api/v1/actions/core.e%00cho' },
  { name: 'NUL: in a query value', method: 'GET', path: '/api/v1/executions?action_ref=core.e%00cho' },
  { name: 'NUL: in a pack ref', method: 'POST', path: '/api/v1/packs', body: { ref: 'itest\u0000nul', label: 'x', version: '1.0.0' } },
  { name: 'NUL: in a trigger label', method: 'POST', path: '/api/v1/triggers', body: { ref: 'itest_bad.nul', pack_ref: 'itest_bad', label: 'a\u0000b' } },
  { name: 'NUL: in a key value', method: 'POST', path: '/api/v1/keys', body: { ref: 'itest_bad_nul', owner_type: 'identity', name: 'nul', value: 'a\u0000b' } },
  { name: 'NUL: in an execution parameter', method: 'POST', path: '/api/v1/executions/execute', body: { action_ref: 'core.echo', parameters: { message: 'a\u0000b' }, env_vars: {} } },
  { name: 'NUL: in a webhook payload', method: 'POST', path: () => `/api/v1/webhooks/${webhookKey}`, token: 'none', body: { payload: { text: 'a\u0000b' } } },
  { name: 'NUL: in a webhook key', method: 'POST', path: '/api/v1/webhooks/wh_%00', token: 'none', body: { payload: {} } },
  { name: 'NUL: in a login', method: 'POST', path: '/auth/login', body: { login: 'test\u0000@attune.local', password: 'x' } },
  // Routing
  { name: 'unknown route', method: 'GET', path: '/api/v1/no-such-collection', status: 404 },
  { name: 'wrong method on a route', method: 'DELETE', path: '/auth/login' },
];

describe('bad input to the api answers 4xx with a JSON body, never 5xx', () => {
  const tokens: Partial<Record<TokenKind, string>> = {};
  let servicesBefore: Record<string, ServiceSnapshot>;

  before(async () => {
    const admin = await login();
    tokens.admin = admin.access_token;
    tokens.refresh = admin.refresh_token;
    tokens.garbage = 'garbage.garbage.garbage';
    tokens.foreign = adminToken('some-other-secret', 0, 600);
    tokens.expired = adminToken(JWT_SECRET, -7200, -3600);
    await createPack(tokens.admin, 'itest_bad');
    await createTrigger(tokens.admin, 'itest_bad', 'itest_bad.hook');
    webhookKey = await enableWebhook(tokens.admin, 'itest_bad.hook');
    dataOf(await call('POST', '/api/v1/keys', { token: tokens.admin, body: { ref: 'itest_bad_key', owner_type: 'identity', name: 'itest_bad_key', value: 'v' } }), 'creating a key');
    servicesBefore = await services();
  });

  for (const c of CASES) {
    test(`${c.method} ${typeof c.path === 'string' ? c.path.slice(0, 60) : '/api/v1/webhooks/<key>'}: ${c.name}`, async () => {
      const kind = c.token ?? 'admin';
      const headers: Record<string, string> = { ...(c.headers ?? {}) };
      if (kind === 'basic') headers.authorization = 'Basic dGVzdDp0ZXN0';
      let body = c.body;
      if (body && typeof body === 'object' && !Buffer.isBuffer(body) && (body as Record<string, unknown>).refresh_token === '__ACCESS__') {
        body = { refresh_token: tokens.admin };
      }
      const token = kind === 'none' || kind === 'basic' ? undefined : tokens[kind];
      const path = typeof c.path === 'function' ? c.path() : c.path;
      const a = c.large
        ? await sendLarge(path, Buffer.from(JSON.stringify(body)), { token })
        : await call(c.method, path, { token, headers, body });
      const shown = `HTTP ${a.status} ${a.contentType} ${a.text.slice(0, 300)}`;
      assert.ok(a.status >= 400 && a.status < 500, `expected 4xx, got ${shown}\n--- api.log ---\n${logTail('api', 8)}`);
      if (c.status !== undefined) assert.equal(a.status, c.status, shown);
      assert.match(a.contentType, /^application\/json/, `not JSON: ${shown}`);
      assert.ok(a.json !== null && typeof a.json === 'object' && 'error' in (a.json as object), `no error in the JSON body: ${shown}`);
    });
  }

  test('every service is the same ready process afterwards and the api still works', async () => {
    const now = await services();
    for (const [name, s] of Object.entries(now)) {
      assert.ok(s.ready, `${name} is ${s.state}`);
      assert.equal(s.pid, servicesBefore[name].pid, `${name} was restarted`);
      assert.equal(s.restarts, 0, `${name} restarted ${s.restarts} times`);
    }
    const me = await call('GET', '/auth/me', { token: tokens.admin });
    assert.equal(me.status, 200, me.text);
  });
});
