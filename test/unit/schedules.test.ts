import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cronPayload,
  intervalMs,
  intervalPayload,
  nextCronFire,
  oneShotPayload,
  parseFireAt,
  ScheduleError,
  validateCronExpression,
  validateTimerParams,
} from '../../stack/sensor/schedules';

const at = (iso: string) => new Date(iso);

describe('intervalMs', () => {
  it('converts every unit, defaulting to seconds', () => {
    assert.equal(intervalMs({ interval: 5 }), 5_000);
    assert.equal(intervalMs({ unit: 'seconds', interval: 1 }), 1_000);
    assert.equal(intervalMs({ unit: 'minutes', interval: 2 }), 120_000);
    assert.equal(intervalMs({ unit: 'hours', interval: 1 }), 3_600_000);
    assert.equal(intervalMs({ unit: 'days', interval: 2 }), 172_800_000);
  });
  it('rejects bad input with ScheduleError', () => {
    for (const bad of [null, [], 'x', {}, { interval: 0 }, { interval: -1 }, { interval: 1.5 }, { interval: '5' }, { interval: 5, unit: 'weeks' }, { interval: 5, unit: 3 }]) {
      assert.throws(() => intervalMs(bad), ScheduleError, JSON.stringify(bad));
    }
    assert.throws(() => intervalMs({ interval: 5, unit: 'weeks' }), /unit/);
    assert.throws(() => intervalMs({ interval: 0 }), /interval/);
  });
});

describe('validateCronExpression', () => {
  it('accepts 6-field expressions', () => {
    for (const e of ['*/2 * * * * *', '0 0 * * * *', '0 30 9 * * 1-5', '15,45 * * * * *', '0 0 0 1 JAN *']) {
      assert.doesNotThrow(() => validateCronExpression(e), e);
    }
  });
  it('rejects 5-field, 7-field and invalid expressions, naming the expression', () => {
    assert.throws(() => validateCronExpression('*/5 * * * *'), (err: unknown) => err instanceof ScheduleError && /\*\/5 \* \* \* \*/.test(err.message) && /6 fields/.test(err.message));
    assert.throws(() => validateCronExpression('0 0 0 1 1 * 2026'), ScheduleError);
    assert.throws(() => validateCronExpression('61 * * * * *'), /61 \* \* \* \* \*/);
    assert.throws(() => validateCronExpression('a b c d e f'), ScheduleError);
    assert.throws(() => validateCronExpression(''), ScheduleError);
    assert.throws(() => validateCronExpression('@daily'), ScheduleError);
  });
});

describe('nextCronFire', () => {
  it('steps */2 seconds strictly after the given instant', () => {
    assert.equal(nextCronFire('*/2 * * * * *', 'UTC', at('2026-01-01T00:00:00.000Z')).toISOString(), '2026-01-01T00:00:02.000Z');
    assert.equal(nextCronFire('*/2 * * * * *', undefined, at('2026-01-01T00:00:01.000Z')).toISOString(), '2026-01-01T00:00:02.000Z');
    assert.equal(nextCronFire('*/2 * * * * *', 'UTC', at('2026-01-01T00:00:01.999Z')).toISOString(), '2026-01-01T00:00:02.000Z');
    assert.equal(nextCronFire('*/2 * * * * *', 'UTC', at('2026-01-01T00:00:02.000Z')).toISOString(), '2026-01-01T00:00:04.000Z');
    assert.equal(nextCronFire('*/2 * * * * *', 'UTC', at('2026-01-01T00:00:59.500Z')).toISOString(), '2026-01-01T00:01:00.000Z');
  });
  it('chains into a regular sequence', () => {
    let t = at('2026-03-10T12:00:00.000Z');
    const fires: string[] = [];
    for (let i = 0; i < 3; i++) {
      t = nextCronFire('*/5 * * * * *', 'UTC', t);
      fires.push(t.toISOString());
    }
    assert.deepEqual(fires, ['2026-03-10T12:00:05.000Z', '2026-03-10T12:00:10.000Z', '2026-03-10T12:00:15.000Z']);
  });
  it('honours the timezone', () => {
    // 09:00 in New York in January is 14:00 UTC.
    assert.equal(nextCronFire('0 0 9 * * *', 'America/New_York', at('2026-01-01T00:00:00.000Z')).toISOString(), '2026-01-01T14:00:00.000Z');
    assert.equal(nextCronFire('0 0 9 * * *', 'UTC', at('2026-01-01T00:00:00.000Z')).toISOString(), '2026-01-01T09:00:00.000Z');
  });
  it('rejects bad expressions and timezones', () => {
    assert.throws(() => nextCronFire('* * * * *', 'UTC', new Date()), ScheduleError);
    assert.throws(() => nextCronFire('* * * * * *', 'Not/AZone', new Date()), ScheduleError);
  });
});

describe('parseFireAt', () => {
  const now = at('2026-01-01T12:00:00.000Z');
  it('parses ISO 8601 with and without zone (no zone = UTC)', () => {
    assert.equal(parseFireAt({ fire_at: '2026-01-01T12:00:05Z' }, now).fireAt.toISOString(), '2026-01-01T12:00:05.000Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-01T12:00:05.250Z' }, now).fireAt.toISOString(), '2026-01-01T12:00:05.250Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-01T14:30:00+02:00' }, now).fireAt.toISOString(), '2026-01-01T12:30:00.000Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-01T07:30:00-0500' }, now).fireAt.toISOString(), '2026-01-01T12:30:00.000Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-01T13:00:00' }, now).fireAt.toISOString(), '2026-01-01T13:00:00.000Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-01 13:00' }, now).fireAt.toISOString(), '2026-01-01T13:00:00.000Z');
    assert.equal(parseFireAt({ fire_at: '2026-01-02' }, now).fireAt.toISOString(), '2026-01-02T00:00:00.000Z');
  });
  it('rejects past or present instants', () => {
    assert.throws(() => parseFireAt({ fire_at: '2026-01-01T11:59:59Z' }, now), /fire_at 2026-01-01T11:59:59Z is in the past/);
    assert.throws(() => parseFireAt({ fire_at: '2026-01-01T12:00:00Z' }, now), /in the past/);
    assert.throws(() => parseFireAt({ fire_at: '2020-01-01T00:00:00Z' }, now), ScheduleError);
  });
  it('rejects missing or unparseable input', () => {
    for (const bad of [{}, null, { fire_at: 5 }, { fire_at: '' }, { fire_at: 'tomorrow' }, { fire_at: '2026-13-01T00:00:00Z' }, { fire_at: '2026-02-30T00:00:00Z' }, { fire_at: '2026-01-01T25:00:00Z' }]) {
      assert.throws(() => parseFireAt(bad, now), ScheduleError, JSON.stringify(bad));
    }
  });
});

describe('validateTimerParams', () => {
  const now = at('2026-01-01T12:00:00.000Z');
  it('dispatches by trigger ref', () => {
    assert.doesNotThrow(() => validateTimerParams('core.intervaltimer', { unit: 'seconds', interval: 5 }, now));
    assert.throws(() => validateTimerParams('core.intervaltimer', { interval: 0 }, now), ScheduleError);
    assert.doesNotThrow(() => validateTimerParams('core.crontimer', { expression: '*/5 * * * * *', timezone: 'UTC' }, now));
    assert.doesNotThrow(() => validateTimerParams('core.crontimer', { expression: '0 0 * * * *' }, now));
    assert.throws(() => validateTimerParams('core.crontimer', { expression: '*/5 * * * *' }, now), ScheduleError);
    assert.throws(() => validateTimerParams('core.crontimer', {}, now), ScheduleError);
    assert.throws(() => validateTimerParams('core.crontimer', { expression: '* * * * * *', timezone: 'Mars/Base' }, now), ScheduleError);
    assert.doesNotThrow(() => validateTimerParams('core.datetimetimer', { fire_at: '2026-01-01T12:01:00Z' }, now));
    assert.throws(() => validateTimerParams('core.datetimetimer', { fire_at: '2025-01-01T12:01:00Z' }, now), /in the past/);
  });
  it('ignores other triggers', () => {
    assert.doesNotThrow(() => validateTimerParams('core.webhook', null, now));
    assert.doesNotThrow(() => validateTimerParams('mypack.thing', { interval: -1 }, now));
  });
});

describe('timer payloads', () => {
  it('interval payload', () => {
    assert.deepEqual(
      intervalPayload({ intervalMs: 5000, firedAt: at('2026-01-01T00:00:05Z'), executionCount: 3, sensorRef: 'core.timer_sensor' }),
      { type: 'interval', interval_seconds: 5, fired_at: '2026-01-01T00:00:05.000Z', execution_count: 3, sensor_ref: 'core.timer_sensor' },
    );
  });
  it('cron payload computes next_fire_at from the scheduled time', () => {
    assert.deepEqual(
      cronPayload({
        expression: '*/2 * * * * *',
        scheduledAt: at('2026-01-01T00:00:02Z'),
        firedAt: at('2026-01-01T00:00:02.013Z'),
        executionCount: 1,
        sensorRef: 'core.timer_sensor',
      }),
      {
        type: 'cron',
        fired_at: '2026-01-01T00:00:02.013Z',
        scheduled_at: '2026-01-01T00:00:02.000Z',
        expression: '*/2 * * * * *',
        timezone: 'UTC',
        next_fire_at: '2026-01-01T00:00:04.000Z',
        execution_count: 1,
        sensor_ref: 'core.timer_sensor',
      },
    );
  });
  it('one-shot payload reports the delay', () => {
    assert.deepEqual(
      oneShotPayload({ fireAt: at('2026-01-01T12:00:00Z'), firedAt: at('2026-01-01T12:00:00.042Z'), timezone: 'Europe/Paris', sensorRef: 'core.timer_sensor' }),
      { type: 'one_shot', fire_at: '2026-01-01T12:00:00.000Z', fired_at: '2026-01-01T12:00:00.042Z', timezone: 'Europe/Paris', delay_ms: 42, sensor_ref: 'core.timer_sensor' },
    );
    assert.equal(oneShotPayload({ fireAt: at('2026-01-01T12:00:00Z'), firedAt: at('2026-01-01T12:00:00Z') }).timezone, 'UTC');
  });
});
