import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyFilterMatches, filterKey, FilterError, filterMatches, parseFilter } from '../../stack/notifier/filters';
import { NotificationFrame } from '../../stack/notifier/frames';

function frame(over: Partial<NotificationFrame> = {}): NotificationFrame {
  return {
    type: 'notification',
    notification_type: 'execution_status_changed',
    entity_type: 'execution',
    entity_id: 42,
    user_id: null,
    payload: { entity_type: 'execution', entity_id: 42, trigger_ref: 'core.intervaltimer' },
    timestamp: new Date(0).toISOString(),
    ...over,
  };
}

test('parses every filter kind and round-trips its key', () => {
  for (const text of ['all', 'entity_type:execution', 'entity:execution:42', 'user:7', 'notification_type:event_created', 'trigger_ref:core.crontimer']) {
    assert.equal(filterKey(parseFilter(text)), text);
  }
  assert.deepEqual(parseFilter(' entity:execution:5 '), { kind: 'entity', entityType: 'execution', entityId: 5 });
});

test('rejects unknown and malformed filters with FilterError', () => {
  for (const bad of ['', 'everything', 'foo:bar', 'entity:execution', 'entity:execution:x', 'entity::3', 'user:abc', 'user:-1', 'entity_type:', 'trigger_ref:', 42, null, {}]) {
    assert.throws(() => parseFilter(bad), FilterError, `expected ${JSON.stringify(bad)} to be refused`);
  }
});

test('matching per filter kind', () => {
  const n = frame();
  assert.ok(filterMatches(parseFilter('all'), n));
  assert.ok(filterMatches(parseFilter('entity_type:execution'), n));
  assert.ok(!filterMatches(parseFilter('entity_type:event'), n));
  assert.ok(filterMatches(parseFilter('entity:execution:42'), n));
  assert.ok(!filterMatches(parseFilter('entity:execution:43'), n));
  assert.ok(!filterMatches(parseFilter('entity:event:42'), n));
  assert.ok(filterMatches(parseFilter('notification_type:execution_status_changed'), n));
  assert.ok(!filterMatches(parseFilter('notification_type:execution_created'), n));
  assert.ok(filterMatches(parseFilter('trigger_ref:core.intervaltimer'), n));
  assert.ok(!filterMatches(parseFilter('trigger_ref:core.crontimer'), n));
  assert.ok(!filterMatches(parseFilter('user:7'), n), 'user_id null matches no user filter');
  assert.ok(filterMatches(parseFilter('user:7'), frame({ user_id: 7 })));
});

test('filters are ORed; no filters deliver nothing', () => {
  const n = frame();
  assert.ok(!anyFilterMatches([], n));
  assert.ok(anyFilterMatches([parseFilter('entity_type:event'), parseFilter('entity:execution:42')], n));
  assert.ok(!anyFilterMatches([parseFilter('entity_type:event'), parseFilter('user:1')], n));
});
