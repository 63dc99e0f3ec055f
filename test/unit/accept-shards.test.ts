import { strict as assert } from 'node:assert';
import { test } from 'node:test';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const accept = require('../../scripts/accept.js') as {
  shardOf(all: { where: string; tags: string[] }[], k: number, n: number): { where: string }[];
  scenarios(paths: string[]): { where: string; tags: string[] }[];
  tagFilter(args: string[]): (tags: string[]) => boolean;
};

const scenario = (i: number, serial = false) => ({ where: `f.feature:${i}`, tags: serial ? ['@serial'] : [] });

test('every scenario lands in exactly one shard, and the serial ones all in shard 1', () => {
  const all = [...Array.from({ length: 23 }, (_, i) => scenario(i + 1)), scenario(100, true), scenario(101, true)];
  for (const n of [1, 2, 3, 4, 7]) {
    const shards = Array.from({ length: n }, (_, k) => accept.shardOf(all, k + 1, n).map((s) => s.where));
    const flat = shards.flat().sort();
    assert.deepEqual(flat, all.map((s) => s.where).sort(), `${n} shards`);
    assert.ok(shards[0].includes('f.feature:100') && shards[0].includes('f.feature:101'));
    const parallelCounts = shards.map((sh) => sh.filter((w) => !w.endsWith(':100') && !w.endsWith(':101')).length);
    assert.ok(Math.max(...parallelCounts) - Math.min(...parallelCounts) <= 1, `balanced: ${parallelCounts}`);
  }
});

test('the shard of a checkout is the same every time', () => {
  const a = accept.shardOf(accept.scenarios([]), 2, 3).map((s) => s.where);
  const b = accept.shardOf(accept.scenarios([]), 2, 3).map((s) => s.where);
  assert.deepEqual(a, b);
  assert.ok(a.length > 0);
});

test('tags select like cucumber: the profile, --tags, and never @manual', () => {
  const keep = accept.tagFilter(['--tags', '@tier1 and not @serial']);
  assert.equal(keep(['@tier1']), true);
  assert.equal(keep(['@tier1', '@serial']), false);
  assert.equal(keep(['@tier1', '@manual']), false);
  assert.equal(accept.tagFilter(['-p', 'tier2'])(['@tier1']), false);
});

test('a target profile gives the suite its variables, and its credentials only come from the environment', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { targetEnv } = require('../../scripts/accept.js') as { targetEnv(name: string): { env: Record<string, string> } };
  const local = targetEnv('local').env;
  assert.equal(local.ATTUNE_API_URL, 'http://127.0.0.1:18080');
  assert.equal(local.ATTUNE_SERVICE_CONTROL, 'supervisor:http://127.0.0.1:18099');
  delete process.env.ATTUNE_STAGING_ADMIN_LOGIN;
  assert.throws(() => targetEnv('staging.example'), /ATTUNE_STAGING_ADMIN_LOGIN/);
  process.env.ATTUNE_STAGING_ADMIN_LOGIN = 'ops@example.com';
  process.env.ATTUNE_STAGING_ADMIN_PASSWORD = 'from-the-environment';
  const staging = targetEnv('staging.example').env;
  assert.equal(staging.ATTUNE_DB_URL, 'off');
  assert.equal(staging.ATTUNE_AMQP_URL, 'off');
  assert.equal(staging.ATTUNE_ADMIN_PASSWORD, 'from-the-environment');
  assert.throws(() => targetEnv('no-such-target'), /no target profile targets\/no-such-target.yaml/);
});
