/**
 * (f) The notifier's handshake: no token, a bad token, an expired or foreign one, a refresh token
 * or a token in the query string are refused with 401 and a JSON body; a valid JWT is accepted in
 * `Authorization: Bearer` and as the browser subprotocol pair `attune.v1` + `attune.jwt.<token>`
 * (the server selects `attune.v1`), and such a connection receives live notifications.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, execute, login, settled } from './lib/http';
import { adminToken } from './lib/jwt';
import { JWT_SECRET, NOTIFIER_HTTP_URL, useItestStack, WS_URL } from './lib/itest-stack';
import { connectNotifier, subscribeConfirmed, type Frame } from './lib/notifier';
import { waitFor } from './lib/wait';

useItestStack();

describe('notifier authentication at the WebSocket handshake', () => {
  let access = '';
  let refresh = '';
  let expired = '';
  let foreign = '';

  before(async () => {
    ({ access_token: access, refresh_token: refresh } = await login());
    expired = adminToken(JWT_SECRET, -7200, -3600);
    foreign = adminToken('not-the-notifier-secret', 0, 600);
  });

  const refusals: Array<[string, () => Parameters<typeof connectNotifier>[0]]> = [
    ['no token at all', () => ({})],
    ['a bearer token that is not a JWT', () => ({ headers: { authorization: 'Bearer not.a.jwt' } })],
    ['an expired token', () => ({ headers: { authorization: `Bearer ${expired}` } })],
    ['a token signed with another secret', () => ({ headers: { authorization: `Bearer ${foreign}` } })],
    ['a refresh token', () => ({ headers: { authorization: `Bearer ${refresh}` } })],
    ['a valid token in the query string only', () => ({ url: `${WS_URL}?token=${access}` })],
    ['a Basic authorization header', () => ({ headers: { authorization: 'Basic dGVzdDp0ZXN0' } })],
    ['an invalid token as subprotocol', () => ({ protocols: ['attune.v1', 'attune.jwt.not-a-jwt'] })],
    ['an empty token subprotocol', () => ({ protocols: ['attune.v1', 'attune.jwt.'] })],
  ];
  for (const [what, opts] of refusals) {
    test(`refuses ${what} with 401 and a JSON body`, async () => {
      const out = await connectNotifier(opts());
      if (out.ok) {
        await out.client.close();
        assert.fail(`the notifier accepted ${what}`);
      }
      assert.equal(out.refusal.status, 401, out.refusal.body);
      assert.match(out.refusal.contentType, /^application\/json/);
      assert.equal(typeof (JSON.parse(out.refusal.body) as { error?: unknown }).error, 'string', out.refusal.body);
    });
  }

  test('control: a token crafted like the refused ones but valid is accepted (so the refusals are about expiry and signature)', async () => {
    const out = await connectNotifier({ headers: { authorization: `Bearer ${adminToken(JWT_SECRET, 0, 600)}` } });
    assert.ok(out.ok, out.ok ? '' : `refused: ${out.refusal.status} ${out.refusal.body}`);
    await out.client.close();
  });

  test('accepts Authorization: Bearer and greets with a welcome frame', async () => {
    const out = await connectNotifier({ headers: { authorization: `Bearer ${access}` } });
    assert.ok(out.ok, out.ok ? '' : `refused: ${out.refusal.status} ${out.refusal.body}`);
    try {
      const welcome = await out.client.waitForFrame((f) => f.type === 'welcome', 'the welcome frame');
      assert.match(String(welcome.client_id), /^client_\d+$/);
    } finally {
      await out.client.close();
    }
  });

  test('accepts the attune.jwt.<token> subprotocol, selects attune.v1 and delivers notifications', async () => {
    const out = await connectNotifier({ protocols: ['attune.v1', `attune.jwt.${access}`] });
    assert.ok(out.ok, out.ok ? '' : `refused: ${out.refusal.status} ${out.refusal.body}`);
    const client = out.client;
    try {
      assert.equal(client.ws.protocol, 'attune.v1');
      await client.waitForFrame((f) => f.type === 'welcome', 'the welcome frame');
      await subscribeConfirmed(client, 'entity_type:execution');
      const id = await execute(access, 'core.echo', { message: 'over the subprotocol' });
      const done = await client.waitForFrame(
        (f: Frame) => f.type === 'notification' && f.notification_type === 'execution_status_changed' && f.entity_id === id &&
          (f.payload as { status?: string }).status === 'completed',
        `the completed frame of execution ${id}`,
      );
      assert.equal(done.entity_type, 'execution');
      assert.equal((await settled(access, id)).status, 'completed');
    } finally {
      await client.close();
    }
  });

  test('the notifier is healthy and holds no connection afterwards', async () => {
    const health = await call('GET', '/health', { base: NOTIFIER_HTTP_URL });
    assert.deepEqual(health.json, { status: 'ok' });
    await waitFor(async () => ((await call('GET', '/stats', { base: NOTIFIER_HTTP_URL })).json as { connected_clients?: number }).connected_clients === 0, {
      what: 'the notifier to count 0 connected clients',
    });
  });
});
