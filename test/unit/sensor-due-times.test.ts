import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armDelay, firstCatchableIndex, intervalDueAt, MAX_TIMEOUT_MS, scheduleFingerprint } from '../../stack/sensor/due-times';
import { eventBody } from '../../stack/sensor/event-emitter';
import { refreshDelayMs, tokenExpiry } from '../../stack/sensor/sensor-token';

test('interval due times are start + n × period (no drift accumulation)', () => {
  const start = 1_000_000;
  assert.equal(intervalDueAt(start, 1000, 1), 1_001_000);
  assert.equal(intervalDueAt(start, 1000, 10), 1_010_000);
  assert.equal(intervalDueAt(start, 60_000, 1440), start + 86_400_000);
});

test('catch-up: late by little keeps n, a long stall jumps to the first catchable fire', () => {
  const start = 0;
  assert.equal(firstCatchableIndex(start, 1000, 3, 3_400), 3);
  assert.equal(firstCatchableIndex(start, 1000, 3, 4_000), 3); // exactly at the limit
  assert.equal(firstCatchableIndex(start, 1000, 3, 10_500), 11);
  assert.equal(firstCatchableIndex(start, 60_000, 2, 130_000), 3);
});

test('arm delay is clamped to setTimeout range and never negative', () => {
  assert.equal(armDelay(1000, 400), 600);
  assert.equal(armDelay(1000, 2000), 0);
  assert.equal(armDelay(40 * 86_400_000, 0), MAX_TIMEOUT_MS);
});

test('fingerprints ignore key order but see value changes', () => {
  assert.equal(scheduleFingerprint('core.intervaltimer', { unit: 'seconds', interval: 1 }), scheduleFingerprint('core.intervaltimer', { interval: 1, unit: 'seconds' }));
  assert.notEqual(scheduleFingerprint('core.intervaltimer', { interval: 1 }), scheduleFingerprint('core.intervaltimer', { interval: 2 }));
  assert.notEqual(scheduleFingerprint('core.intervaltimer', {}), scheduleFingerprint('core.crontimer', {}));
});

test('event body binds the event to the rule', () => {
  assert.deepEqual(eventBody({ triggerRef: 'core.intervaltimer', ruleId: 12, payload: { a: 1 } }), {
    trigger_ref: 'core.intervaltimer',
    payload: { a: 1 },
    trigger_instance_id: 'rule_12',
  });
});

test('sensor token expiry and refresh time', () => {
  assert.equal(tokenExpiry('x', '2026-01-01T00:00:00Z', 100, 0), Date.parse('2026-01-01T00:00:00Z'));
  const jwt = `h.${Buffer.from(JSON.stringify({ exp: 2000 })).toString('base64url')}.s`;
  assert.equal(tokenExpiry(jwt, undefined, 100, 0), 2_000_000);
  assert.equal(tokenExpiry('nonsense', undefined, 100, 5), 100_005);
  // 24 h token issued at 0: refresh at 80 % = 19.2 h
  assert.equal(refreshDelayMs(0, 86_400_000, 0), 69_120_000);
  // short token: at least a minute before expiry, never below 1 s
  assert.equal(refreshDelayMs(0, 100_000, 0), 40_000);
  assert.equal(refreshDelayMs(0, 10_000, 0), 1_000);
});
