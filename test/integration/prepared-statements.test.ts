/**
 * Pooled connections prepare each parameterised statement once (stack/common/db.ts): the second call of a text
 * runs the connection's named statement, statements without parameters keep the simple protocol, and a failing
 * statement leaves nothing half-prepared behind. Needs only the local PostgreSQL (database `postgres`).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

process.env.ATTUNE__DATABASE__URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const db = require('../../stack/common/db') as typeof import('../../stack/common/db');

describe('prepared statements of pooled connections', () => {
  const pool = db.createPool('itest-prepared', { max: 1 });
  after(() => pool.end());

  const prepared = async (): Promise<string[]> =>
    (await pool.query('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows.map((r) => r.statement as string);

  test('a parameterised text is prepared once under its digest name and answers every call', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    assert.equal((await pool.query(text, [1])).rows[0].n, 2);
    assert.equal((await pool.query(text, [41])).rows[0].n, 42);
    assert.deepEqual(await prepared(), [text]);
    const name = db.statementName(text);
    assert.match(String(name), /^s_[0-9a-f]{24}$/);
    const { rows } = await pool.query('SELECT name FROM pg_prepared_statements');
    assert.deepEqual(rows.map((r) => r.name), [name]);
  });

  test('a statement that fails to parse is not remembered as prepared: the next call reports the same error', async () => {
    const bad = 'SELECT $1::int FROM no_such_table_for_prepared_statements';
    await assert.rejects(pool.query(bad, [1]), /no_such_table_for_prepared_statements/);
    await assert.rejects(pool.query(bad, [1]), /no_such_table_for_prepared_statements/);
    assert.equal((await prepared()).includes(bad), false);
  });

  test('texts without parameters (several statements in one) keep the simple protocol', async () => {
    const res = (await pool.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as Array<{ rows: unknown[] }>;
    assert.deepEqual(res.map((r) => r.rows), [[{ a: 1 }], [{ b: 2 }]]);
  });

  test('a transaction on a checked-out client uses the same statements', async () => {
    await db.withTransaction(pool, async (c) => {
      assert.equal((await c.query('SELECT $1::int + 1 AS n', [9])).rows[0].n, 10);
    });
  });
});
