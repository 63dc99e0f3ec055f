/**
 * Which errors every service treats as "the infrastructure is away for a moment" (stack/common/outages.ts): those are
 * retried or requeued, and the API answers them 503, never 500; every other error is a verdict on the work itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTransient } from '../../stack/common/outages';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('database restarts, refused connections and a full server are transient', () => {
  for (const err of [
    pgError('57P01', 'terminating connection due to administrator command'),
    pgError('57P03', 'the database system is starting up'),
    pgError('08006', 'connection failure'),
    pgError('53300', 'sorry, too many clients already'),
    pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    pgError('55000', 'database "attune_x" is not currently accepting connections'),
    new Error('Connection terminated unexpectedly'),
    Object.assign(new Error('broker away'), { name: 'MqUnavailableError' }),
  ]) {
    assert.equal(isTransient(err), true, `${(err as Error).message}`);
  }
});

test('constraint violations, bad input and programming errors are not', () => {
  for (const err of [pgError('23505', 'duplicate key'), pgError('22P02', 'invalid input syntax'), pgError('42P01', 'relation does not exist'), new TypeError('x is undefined'), null, 'text']) {
    assert.equal(isTransient(err), false, String((err as Error | null)?.message ?? err));
  }
});
