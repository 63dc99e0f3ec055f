import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractToken, authenticateUpgrade } from '../../stack/notifier/auth';
import { buildNotificationFrame, ClientFrameError, errorFrame, parseClientFrame, welcomeFrame } from '../../stack/notifier/frames';
import { listenSql } from '../../stack/common/pg-listener';
import type { TokenClaims } from '../../stack/common/tokens';

const at = new Date('2026-02-01T10:00:00.123Z');

test('builds the notification frame from a pg payload', () => {
  const raw = JSON.stringify({ entity_type: 'execution', entity_id: 9, id: 9, status: 'running', old_status: 'scheduled' });
  const out = buildNotificationFrame('execution_status_changed', raw, at);
  assert.ok(out.ok);
  assert.deepEqual(out.frame, {
    type: 'notification',
    notification_type: 'execution_status_changed',
    entity_type: 'execution',
    entity_id: 9,
    user_id: null,
    payload: JSON.parse(raw),
    timestamp: '2026-02-01T10:00:00.123Z',
  });
  const withUser = buildNotificationFrame('event_created', JSON.stringify({ entity_type: 'event', entity_id: 1, user_id: 3 }), at);
  assert.ok(withUser.ok && withUser.frame.user_id === 3);
});

test('drops payloads without entity_type/entity_id or that are not JSON objects', () => {
  for (const raw of [undefined, '', 'not json', '[]', '42', '{"entity_type":"x"}', '{"entity_id":1}', '{"entity_type":1,"entity_id":1}', '{"entity_type":"x","entity_id":"1"}', '{"entity_type":"x","entity_id":1.5}', '{"id":1,"entity_type":"n","entity":"e","activity":"a"}']) {
    assert.equal(buildNotificationFrame('attune_notifications', raw, at).ok, false, `expected ${raw} to be dropped`);
  }
});

test('welcome and error frames', () => {
  assert.deepEqual(JSON.parse(welcomeFrame('client_3')), { type: 'welcome', client_id: 'client_3', message: 'Connected to Attune Notifier' });
  assert.deepEqual(JSON.parse(errorFrame('bad')), { type: 'error', message: 'bad' });
});

test('parses client frames and refuses malformed ones', () => {
  assert.deepEqual(parseClientFrame('{"type":"subscribe","filter":"all"}'), { type: 'subscribe', filter: 'all' });
  assert.deepEqual(parseClientFrame('{"type":"unsubscribe","filter":"user:1"}'), { type: 'unsubscribe', filter: 'user:1' });
  assert.deepEqual(parseClientFrame('{"type":"ping"}'), { type: 'ping' });
  for (const bad of ['nope', '[]', 'null', '{"type":"subscribe"}', '{"type":"hello"}', '{}']) {
    assert.throws(() => parseClientFrame(bad), ClientFrameError);
  }
});

test('LISTEN statement covers every channel in one query', () => {
  assert.equal(listenSql(['a', 'b_c']), 'LISTEN "a"; LISTEN "b_c"');
});

test('token extraction: bearer header, then subprotocol; never the query string', () => {
  assert.equal(extractToken({ authorization: 'Bearer abc.def.ghi' }), 'abc.def.ghi');
  assert.equal(extractToken({ 'sec-websocket-protocol': 'attune.v1, attune.jwt.abc.def.ghi' }), 'abc.def.ghi');
  assert.equal(extractToken({ authorization: 'Bearer h.h.h', 'sec-websocket-protocol': 'attune.v1, attune.jwt.p.p.p' }), 'h.h.h');
  assert.equal(extractToken({ authorization: 'Basic xyz' }), undefined);
  assert.equal(extractToken({}), undefined);
});

test('upgrade authentication outcomes', async () => {
  const claims = (token_type: TokenClaims['token_type']): TokenClaims => ({ sub: '1', login: 'x', token_type, iat: 0, exp: 2e9 });
  const verify = async (t: string) => {
    if (t === 'bad') throw new Error('Invalid authentication token');
    return claims(t as TokenClaims['token_type']);
  };
  assert.deepEqual(await authenticateUpgrade({}, verify), { ok: false, error: 'missing_token' });
  assert.deepEqual(await authenticateUpgrade({ authorization: 'Bearer bad' }, verify), { ok: false, error: 'invalid_or_expired_token' });
  assert.deepEqual(await authenticateUpgrade({ authorization: 'Bearer refresh' }, verify), { ok: false, error: 'refresh_tokens_not_allowed' });
  for (const t of ['access', 'execution', 'sensor']) assert.equal((await authenticateUpgrade({ authorization: `Bearer ${t}` }, verify)).ok, true);
});
