/**
 * The suite's relative cron seconds (S, S+n): which expression and instants a scenario gets for a given moment.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { resolveCronSeconds } from '../../support/tasks/timers';

const at = (iso: string) => Date.parse(iso);

test('S is the first whole second at least the lead away', () => {
  const out = resolveCronSeconds('S,S+1,S+3 * * * * *', 600, at('2026-01-01T00:00:10.300Z'));
  assert.equal(out.expression, '11,12,14 * * * * *');
  assert.deepEqual(out.instants?.map((t) => new Date(t).toISOString()), [
    '2026-01-01T00:00:11.000Z',
    '2026-01-01T00:00:12.000Z',
    '2026-01-01T00:00:14.000Z',
  ]);
  assert.equal(resolveCronSeconds('S * * * * *', 600, at('2026-01-01T00:00:10.500Z')).expression, '12 * * * * *');
});

test('seconds wrap into the next minute, instants stay in order', () => {
  const out = resolveCronSeconds('S,S+1,S+3 * * * * *', 600, at('2026-01-01T00:00:57.900Z'));
  assert.equal(out.expression, '59,0,2 * * * * *');
  assert.deepEqual(out.instants?.map((t) => new Date(t).toISOString()), [
    '2026-01-01T00:00:59.000Z',
    '2026-01-01T00:01:00.000Z',
    '2026-01-01T00:01:02.000Z',
  ]);
});

test('an expression without S is kept as written', () => {
  assert.deepEqual(resolveCronSeconds('*/2 * * * * *', 600, 0), { expression: '*/2 * * * * *' });
});

test('anything but increasing S, S+n below S+60 is refused', () => {
  assert.throws(() => resolveCronSeconds('S,5 * * * * *', 600, 0), /not S or S\+n/);
  assert.throws(() => resolveCronSeconds('S+2,S+1 * * * * *', 600, 0), /increasing/);
  assert.throws(() => resolveCronSeconds('S,S+60 * * * * *', 600, 0), /below S\+60/);
});
