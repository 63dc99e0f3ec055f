/**
 * (a) Start-up is idempotent: stopping and starting the api and the executor through the
 * supervisor's control endpoint re-runs their start-up (migrations, core pack, admin bootstrap)
 * without re-applying a migration or re-creating what exists, and the stack keeps working.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { API_URL, logTail, useItestStack } from './lib/itest-stack';
import { openDb } from './lib/db';
import { call, control, execute, login, services, settled } from './lib/http';

useItestStack();

interface Snapshot {
  migrations: unknown[];
  core: unknown[];
  counts: Record<string, number>;
}

async function snapshot(db: pg.Client): Promise<Snapshot> {
  const migrations = (await db.query('SELECT version, description, checksum, installed_on, success FROM _sqlx_migrations ORDER BY version')).rows;
  const core = (
    await db.query(`
      SELECT 'pack' AS kind, ref, id FROM pack WHERE ref = 'core'
      UNION ALL SELECT 'action', ref, id FROM action WHERE pack_ref = 'core'
      UNION ALL SELECT 'trigger', ref, id FROM trigger WHERE pack_ref = 'core'
      UNION ALL SELECT 'sensor', ref, id FROM sensor WHERE pack_ref = 'core'
      UNION ALL SELECT 'runtime', ref, id FROM runtime WHERE pack_ref = 'core'
      UNION ALL SELECT 'permission_set', ref, id FROM permission_set WHERE pack_ref = 'core'
      UNION ALL SELECT 'identity', login, id FROM identity WHERE login = 'test@attune.local'
      ORDER BY 1, 2`)
  ).rows;
  const counts: Record<string, number> = {};
  for (const t of ['_sqlx_migrations', 'pack', 'action', 'trigger', 'sensor', 'runtime', 'identity', 'permission_set', 'permission_assignment']) {
    counts[t] = Number((await db.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n);
  }
  return { migrations, core, counts };
}

async function apiAnswers(): Promise<boolean> {
  try {
    await fetch(`${API_URL}/health`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe('start-up idempotence (api and executor stopped and started through the supervisor)', () => {
  let db: pg.Client;
  let initial: Snapshot;

  before(async () => {
    db = await openDb();
    initial = await snapshot(db);
  });
  after(async () => {
    await db?.end();
  });

  test('the fresh stack applied every migration once and loaded the core pack', () => {
    assert.ok(initial.counts._sqlx_migrations > 0, 'no migrations recorded');
    assert.equal(new Set(initial.migrations.map((m) => (m as { version: unknown }).version)).size, initial.migrations.length);
    assert.ok(initial.migrations.every((m) => (m as { success: boolean }).success), 'a migration is recorded as failed');
    const kinds = new Set(initial.core.map((r) => (r as { kind: string }).kind));
    for (const k of ['pack', 'action', 'trigger', 'runtime', 'identity']) assert.ok(kinds.has(k), `no core ${k} after start-up`);
  });

  test('stop, then start: nothing re-applied, the same core ids, no duplicates', async () => {
    const before = await services();
    for (const name of ['api', 'executor']) {
      const a = await control(name, 'stop');
      assert.equal(a.status, 200, `stopping ${name}: ${a.text}`);
    }
    const stopped = await services();
    assert.equal(stopped.api.state, 'stopped');
    assert.equal(stopped.executor.state, 'stopped');
    assert.equal(await apiAnswers(), false, 'the api still answers after it was stopped');

    // Executor first (it migrates too, while the api is down), then the api.
    for (const name of ['executor', 'api']) {
      const a = await control(name, 'start');
      assert.equal(a.status, 200, `starting ${name}: ${a.text}\n${logTail(name)}`);
    }
    const started = await services();
    assert.ok(started.api.ready && started.executor.ready, JSON.stringify(started));
    assert.notEqual(started.api.pid, before.api.pid, 'the api was not really restarted');
    assert.notEqual(started.executor.pid, before.executor.pid, 'the executor was not really restarted');
    assert.equal(started.api.restarts, 0, 'the supervisor had to restart the api after a crash');

    assert.deepEqual(await snapshot(db), initial);
  });

  test('restarting both at once (concurrent start-ups) is idempotent too', async () => {
    const answers = await Promise.all([control('api', 'restart'), control('executor', 'restart')]);
    for (const a of answers) assert.equal(a.status, 200, a.text);
    assert.deepEqual(await snapshot(db), initial);
  });

  test('start on a running service is a no-op (same process)', async () => {
    const before = await services();
    const a = await control('api', 'start');
    assert.equal(a.status, 200, a.text);
    assert.equal((a.json as { pid: number }).pid, before.api.pid);
    assert.deepEqual(await snapshot(db), initial);
  });

  test('after the restarts the stack still runs an action end to end', async () => {
    const { access_token } = await login();
    const id = await execute(access_token, 'core.echo', { message: 'after restart' });
    const ex = await settled(access_token, id);
    assert.equal(ex.status, 'completed', JSON.stringify(ex));
    const me = await call('GET', '/auth/me', { token: access_token });
    assert.equal(me.status, 200);
  });
});
