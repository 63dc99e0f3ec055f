import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, checkParameters } from '../../stack/common/param-schema';
import { resolveExecutionParameters } from '../../stack/executor/parameters';

const schema = {
  url: { type: 'string', required: true },
  timeout: { type: 'integer', default: 30 },
  method: { type: 'string', enum: ['GET', 'POST'], default: 'GET' },
  verbose: { type: 'boolean', default: false },
};

describe('applyDefaults', () => {
  it('fills missing and null parameters from their defaults, in schema order, leaving the input untouched', () => {
    const input = { url: 'u', timeout: null };
    const out = applyDefaults(schema, input);
    assert.deepEqual(out.params, { url: 'u', timeout: 30, method: 'GET', verbose: false });
    assert.deepEqual(out.filled, ['timeout', 'method', 'verbose']);
    assert.deepEqual(input, { url: 'u', timeout: null });
  });
  it('keeps values that were sent (false and 0 included) and extra parameters', () => {
    const out = applyDefaults(schema, { url: 'u', timeout: 0, verbose: false, extra: 1 });
    assert.deepEqual(out.params, { url: 'u', timeout: 0, verbose: false, extra: 1, method: 'GET' });
    assert.deepEqual(out.filled, ['method']);
  });
  it('reads the JSON-Schema wrapper form and tolerates a missing schema or document', () => {
    assert.deepEqual(applyDefaults({ type: 'object', properties: { a: { default: 1 } } }, undefined).params, { a: 1 });
    assert.deepEqual(applyDefaults(null, { a: 1 }), { params: { a: 1 }, filled: [] });
  });
});

describe('checkParameters options', () => {
  it('checkTypes: false and checkEnums: false let those problems through', () => {
    assert.deepEqual(checkParameters(schema, { url: 1, method: 'X' }, { checkTypes: false, checkEnums: false }), []);
    assert.equal(checkParameters(schema, { url: 1, method: 'X' }).length, 2);
  });
  it('an enum problem names the value that was given', () => {
    assert.deepEqual(checkParameters(schema, { url: 'u', method: 'FETCH' }), [
      { parameter: 'method', message: `parameter 'method' must be one of ["GET","POST"], got "FETCH"` },
    ]);
  });
});

describe('resolveExecutionParameters', () => {
  it('accepts a good document with its defaults filled in', () => {
    assert.deepEqual(resolveExecutionParameters('p.fetch', schema, { url: 'u', extra: true }), {
      ok: true,
      config: { url: 'u', extra: true, timeout: 30, method: 'GET', verbose: false },
      filled: ['timeout', 'method', 'verbose'],
    });
  });
  it('refuses a missing required parameter, naming it and the action', () => {
    const verdict = resolveExecutionParameters('p.fetch', schema, { timeout: 60 });
    assert.deepEqual(verdict, { ok: false, error: "Invalid parameters for action 'p.fetch': parameter 'url' is required" });
  });
  it('refuses a wrong type after the defaults were applied (a null with a default is fine)', () => {
    assert.equal(resolveExecutionParameters('p.fetch', schema, { url: 'u', timeout: null }).ok, true);
    const verdict = resolveExecutionParameters('p.fetch', schema, { url: 'u', timeout: '60' });
    assert.equal(verdict.ok, false);
    assert.match((verdict as { error: string }).error, /parameter 'timeout' must be of type integer, got string/);
  });
});
