import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideEnforcement, type EnforcementWithRule } from '../../stack/executor/enforcement-processor';
import { planEnforcements, type CandidateRule, type EventRow } from '../../stack/executor/event-processor';

const event: EventRow = { id: 7, trigger: 3, trigger_ref: 'p.t', payload: { level: 'high', n: 2 }, rule: null, created: new Date('2026-02-01T00:00:00Z') };
const rule = (id: number, over: Partial<CandidateRule> = {}): CandidateRule => ({
  id, ref: `p.r${id}`, conditions: [], action_params: {}, pack_config: { region: 'eu' }, ...over,
});

test('planEnforcements: conditions filter, params rendered with event/pack/system', () => {
  const now = new Date('2026-02-02T00:00:00Z');
  const planned = planEnforcements(
    event,
    [
      rule(1, { action_params: { lvl: '{{ event.payload.level }}', n: '{{ event.payload.n }}', region: '{{ pack.config.region }}', who: 'rule {{ system.rule.ref }} at {{ system.timestamp }}', trig: '{{ event.trigger }}' } }),
      rule(2, { conditions: [{ field: 'level', operator: 'equals', value: 'low' }] }),
      rule(3, { conditions: { expression: "event.payload.level == 'high'" } }),
    ],
    now,
  );
  assert.deepEqual(planned.map((p) => p.rule.id), [1, 3]);
  assert.deepEqual(planned[0].config, { lvl: 'high', n: 2, region: 'eu', who: `rule p.r1 at ${now.toISOString()}`, trig: 'p.t' });
  assert.deepEqual(planned[0].payload, event.payload);
});

test('planEnforcements: event without payload matches and stores {}', () => {
  const planned = planEnforcements({ ...event, payload: null }, [rule(1, { conditions: [{ field: 'x', operator: 'equals', value: 1 }] })]);
  assert.equal(planned.length, 1);
  assert.deepEqual(planned[0].payload, {});
});

const enf = (over: Partial<EnforcementWithRule> = {}): EnforcementWithRule => ({
  id: 1, status: 'created', config: {}, rule_ref: 'p.r', rule_id: 2, rule_enabled: true, owner_identity: null,
  action_id: 3, action_ref: 'p.a', action_timeout_seconds: null, action_max_retries: 0, ...over,
});

test('decideEnforcement', () => {
  assert.equal(decideEnforcement(enf({ status: 'processed' }), 600).kind, 'skip');
  assert.equal(decideEnforcement(enf({ rule_id: null }), 600).kind, 'disable');
  assert.equal(decideEnforcement(enf({ rule_enabled: false }), 600).kind, 'disable');
  assert.equal(decideEnforcement(enf({ action_id: null, action_ref: null }), 600).kind, 'disable');
  assert.deepEqual(decideEnforcement(enf(), 600), { kind: 'execute', actionId: 3, actionRef: 'p.a', executor: null, timeoutSeconds: 600, maxRetries: 0 });
  const d = decideEnforcement(enf({ owner_identity: 9, action_timeout_seconds: 30 }), 600);
  assert.ok(d.kind === 'execute' && d.executor === 9 && d.timeoutSeconds === 30);
});
