import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkParameters, describeProblems, flatSchema, isTemplate, jsonTypeOf, typeMatches } from '../../stack/api/param-schema';
import { actionParamsProblem, conditionsProblem, triggerParamsProblem } from '../../stack/api/rule-checks';

const schema = {
  url: { type: 'string', required: true },
  timeout: { type: 'integer', default: 30 },
  port: { type: 'integer', required: true },
  enabled: { type: 'boolean' },
  level: { type: 'string', enum: ['low', 'high'] },
  ratio: { type: 'number', minimum: 0, maximum: 1 },
  tags: { type: 'array' },
  extra: { type: 'object' },
  anything: { description: 'no type' },
};

describe('flatSchema', () => {
  it('keeps a flat schema as it is and ignores non-object entries', () => {
    assert.deepEqual(Object.keys(flatSchema({ a: { type: 'string' }, b: 'junk' })), ['a']);
  });
  it('reads the JSON-Schema wrapper form, folding the required list into each field', () => {
    const flat = flatSchema({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a'] });
    assert.equal(flat.a.required, true);
    assert.equal(flat.b.required, false);
  });
  it('is empty for absent or non-object schemas', () => {
    for (const s of [null, undefined, 'x', 3, []]) assert.deepEqual(flatSchema(s), {});
  });
});

describe('typeMatches / jsonTypeOf', () => {
  it('matches JSON types, integer being a number without fraction', () => {
    assert.ok(typeMatches('integer', 3));
    assert.ok(!typeMatches('integer', 3.5));
    assert.ok(typeMatches('number', 3.5));
    assert.ok(!typeMatches('string', 3));
    assert.ok(typeMatches('object', {}));
    assert.ok(!typeMatches('object', []));
    assert.ok(typeMatches('array', []));
    assert.ok(typeMatches(['string', 'null'], null));
  });
  it('accepts anything for unknown or missing types', () => {
    assert.ok(typeMatches('any', 1));
    assert.ok(typeMatches(undefined, 'x'));
    assert.ok(typeMatches('secret-string', 1));
  });
  it('names value types', () => {
    assert.deepEqual([null, [], 1, 1.5, 'a', true, {}].map(jsonTypeOf), ['null', 'array', 'integer', 'number', 'string', 'boolean', 'object']);
  });
});

describe('checkParameters', () => {
  it('accepts valid parameters and extra ones', () => {
    assert.deepEqual(checkParameters(schema, { url: 'http://x', port: 80, extra_param: 1, anything: [1] }), []);
  });
  it('reports a missing required parameter by name, but not one with a default', () => {
    const problems = checkParameters(schema, { port: 1 });
    assert.deepEqual(problems.map((p) => p.parameter), ['url']);
    assert.match(problems[0].message, /'url' is required/);
  });
  it('reports null for a required parameter', () => {
    assert.match(checkParameters(schema, { url: null, port: 1 })[0].message, /must not be null/);
  });
  it('reports declared type mismatches', () => {
    const problems = checkParameters(schema, { url: 'u', port: '8080', enabled: 'yes' });
    assert.deepEqual(problems.map((p) => p.parameter), ['port', 'enabled']);
    assert.match(problems[0].message, /'port' must be of type integer, got string/);
  });
  it('checks enum, minimum and maximum', () => {
    assert.deepEqual(checkParameters(schema, { url: 'u', port: 1, level: 'mid' }).map((p) => p.parameter), ['level']);
    assert.deepEqual(checkParameters(schema, { url: 'u', port: 1, ratio: 2 }).map((p) => p.parameter), ['ratio']);
    assert.deepEqual(checkParameters(schema, { url: 'u', port: 1, ratio: -1 }).map((p) => p.parameter), ['ratio']);
  });
  it('can skip the required check and let templates through (rule action_params)', () => {
    assert.deepEqual(checkParameters(schema, { port: '{{ event.payload.port }}' }, { checkRequired: false, allowTemplates: true }), []);
    assert.equal(checkParameters(schema, { port: 'abc' }, { checkRequired: false, allowTemplates: true }).length, 1);
  });
  it('treats non-object parameter documents as empty', () => {
    assert.deepEqual(checkParameters(schema, null).map((p) => p.parameter), ['url', 'port']);
    assert.deepEqual(checkParameters(null, { a: 1 }), []);
  });
  it('describes problems in one sentence', () => {
    assert.equal(
      describeProblems("action 'p.a'", [{ parameter: 'x', message: "parameter 'x' is required" }]),
      "Invalid parameters for action 'p.a': parameter 'x' is required",
    );
  });
  it('recognises templates', () => {
    assert.ok(isTemplate('{{ event.payload.x }}'));
    assert.ok(isTemplate('pre {{x}} post'));
    assert.ok(!isTemplate('{ x }'));
    assert.ok(!isTemplate(5));
  });
});

describe('rule checks', () => {
  it('accepts empty, field-condition arrays and expressions', () => {
    for (const c of [null, undefined, {}, [], [{ field: 'a.b', operator: 'equals', value: 1 }], { expression: 'event.payload.x > 3' }, { expression: '{{ event.payload.x == "a" }}' }]) {
      assert.equal(conditionsProblem(c), null, JSON.stringify(c));
    }
  });
  it('rejects other condition shapes', () => {
    for (const c of [{ foo: 1 }, 'x', 5, [1], [{ field: 'a', operator: 'like' }], [{ operator: 'equals' }], { expression: '' }, { expression: 'a ==' }]) {
      assert.notEqual(conditionsProblem(c), null, JSON.stringify(c));
    }
  });
  it('validates timer trigger_params with the sensor rules, naming the cron expression', () => {
    assert.equal(triggerParamsProblem('core.crontimer', null, { expression: '*/5 * * * * *' }), null);
    assert.match(triggerParamsProblem('core.crontimer', null, { expression: '*/5 * * * *' })!, /"\*\/5 \* \* \* \*"/);
    assert.equal(triggerParamsProblem('core.intervaltimer', null, { unit: 'seconds', interval: 5 }), null);
    assert.notEqual(triggerParamsProblem('core.intervaltimer', null, { unit: 'weeks', interval: 5 }), null);
    assert.notEqual(triggerParamsProblem('core.intervaltimer', null, {}), null);
  });
  it('accepts a past fire_at for the date-time timer but not an unparseable one', () => {
    assert.equal(triggerParamsProblem('core.datetimetimer', null, { fire_at: '2020-01-01T00:00:00Z' }), null);
    assert.notEqual(triggerParamsProblem('core.datetimetimer', null, { fire_at: 'tomorrow' }), null);
    assert.notEqual(triggerParamsProblem('core.datetimetimer', null, {}), null);
  });
  it('checks other triggers against their param_schema (types only)', () => {
    const ps = { threshold: { type: 'integer', required: true } };
    assert.equal(triggerParamsProblem('p.t', ps, {}), null);
    assert.match(triggerParamsProblem('p.t', ps, { threshold: 'x' })!, /threshold/);
  });
  it('checks action_params types, letting templates pass', () => {
    const ps = { count: { type: 'integer', required: true } };
    assert.equal(actionParamsProblem('p.a', ps, {}), null);
    assert.equal(actionParamsProblem('p.a', ps, { count: '{{ event.payload.n }}' }), null);
    assert.match(actionParamsProblem('p.a', ps, { count: 'many' })!, /Invalid parameters for action 'p.a'/);
  });
});
