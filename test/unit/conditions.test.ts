import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesConditions } from '../../stack/executor/conditions';

function event(payload: unknown) {
  return { id: 11, trigger: '5', trigger_ref: 'core.webhook', payload, created: '2026-02-01T10:00:00.000Z' };
}

const payload = {
  status: 'critical',
  value: 150,
  environment: 'prod',
  message: 'disk almost full',
  host: { name: 'db1', tags: ['a', 'b'] },
  items: [{ id: 1 }, { id: 2 }],
  nothing: null,
};

describe('matchesConditions: empty conditions and missing payload', () => {
  for (const c of [null, undefined, {}, []]) {
    it(`matches everything for ${JSON.stringify(c)}`, () => assert.equal(matchesConditions(c, event(payload)), true));
  }
  it('matches when the event has no payload, without evaluating conditions', () => {
    const failing = [{ field: 'status', operator: 'equals', value: 'nope' }];
    assert.equal(matchesConditions(failing, event(null)), true);
    assert.equal(matchesConditions(failing, event(undefined)), true);
    assert.equal(matchesConditions({ expression: '1 / 0' }, event(null)), true);
  });
});

describe('matchesConditions: array form', () => {
  const m = (conditions: unknown) => matchesConditions(conditions, event(payload));
  it('equals / not_equals compare JSON values without coercion', () => {
    assert.equal(m([{ field: 'status', operator: 'equals', value: 'critical' }]), true);
    assert.equal(m([{ field: 'status', operator: 'equals', value: 'low' }]), false);
    assert.equal(m([{ field: 'value', operator: 'equals', value: 150 }]), true);
    assert.equal(m([{ field: 'value', operator: 'equals', value: '150' }]), false);
    assert.equal(m([{ field: 'status', operator: 'not_equals', value: 'low' }]), true);
    assert.equal(m([{ field: 'host.tags', operator: 'equals', value: ['a', 'b'] }]), true);
    assert.equal(m([{ field: 'nothing', operator: 'equals', value: null }]), true);
  });
  it('walks dot paths relative to the payload, numeric segments indexing arrays', () => {
    assert.equal(m([{ field: 'host.name', operator: 'equals', value: 'db1' }]), true);
    assert.equal(m([{ field: 'host.tags.1', operator: 'equals', value: 'b' }]), true);
    assert.equal(m([{ field: 'items.1.id', operator: 'equals', value: 2 }]), true);
    assert.equal(m([{ field: 'payload.status', operator: 'equals', value: 'critical' }]), false);
  });
  it('contains is a string-contains only', () => {
    assert.equal(m([{ field: 'message', operator: 'contains', value: 'almost' }]), true);
    assert.equal(m([{ field: 'message', operator: 'contains', value: 'empty' }]), false);
    assert.equal(m([{ field: 'host.tags', operator: 'contains', value: 'a' }]), false);
    assert.equal(m([{ field: 'value', operator: 'contains', value: '15' }]), false);
  });
  it('fails on unknown operators, missing fields and malformed items', () => {
    assert.equal(m([{ field: 'status', operator: 'greater_than', value: 1 }]), false);
    assert.equal(m([{ field: 'missing', operator: 'not_equals', value: 'x' }]), false);
    assert.equal(m([{ field: 'host.tags.5', operator: 'equals', value: null }]), false);
    assert.equal(m(['status == critical']), false);
    assert.equal(m([{ operator: 'equals', value: 1 }]), false);
  });
  it('ANDs all items', () => {
    const ok = { field: 'status', operator: 'equals', value: 'critical' };
    const bad = { field: 'environment', operator: 'equals', value: 'dev' };
    assert.equal(m([ok, { field: 'environment', operator: 'equals', value: 'prod' }]), true);
    assert.equal(m([ok, bad]), false);
  });
});

describe('matchesConditions: expression form', () => {
  const m = (expression: unknown, p: unknown = payload) => matchesConditions({ expression }, event(p));
  it('evaluates with or without surrounding braces', () => {
    assert.equal(m('event.payload.status == "critical"'), true);
    assert.equal(m('{{ event.payload.status == "critical" }}'), true);
    assert.equal(m('{{event.payload.status == "low"}}'), false);
  });
  it('supports numeric comparison, list membership and boolean combinations', () => {
    assert.equal(m('event.payload.value > 100'), true);
    assert.equal(m('event.payload.value > 100', { value: 50 }), false);
    assert.equal(m("event.payload.environment in ['prod', 'staging']"), true);
    assert.equal(m("event.payload.environment in ['prod', 'staging']", { environment: 'dev' }), false);
    assert.equal(m('event.payload.value > 100 and event.payload.status == "critical" or false'), true);
  });
  it('sees event id, trigger_ref and created', () => {
    assert.equal(m('event.id == 11 and event.trigger_ref == "core.webhook"'), true);
    assert.equal(m('starts_with(event.created, "2026-02-01")'), true);
  });
  it('uses truthiness of the result', () => {
    assert.equal(m('event.payload.host'), true);
    assert.equal(m('event.payload.nothing'), false);
    assert.equal(m('event.payload.missing'), false);
    assert.equal(m('length(event.payload.items)'), true);
  });
  it('does not match on evaluation or syntax errors, or a non-string expression', () => {
    assert.equal(m('event.payload.status > 3'), false);
    assert.equal(m('event.payload.value >'), false);
    assert.equal(m('nosuch()'), false);
    assert.equal(m(42), false);
  });
});

describe('matchesConditions: other shapes', () => {
  it('does not match objects without an expression key, or non-object scalars', () => {
    assert.equal(matchesConditions({ status: 'critical' }, event(payload)), false);
    assert.equal(matchesConditions({ any: [] }, event(payload)), false);
    assert.equal(matchesConditions('event.payload.status', event(payload)), false);
    assert.equal(matchesConditions(true, event(payload)), false);
  });
});
