import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../stack/api/json-depth';

const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

test('JSON up to the nesting limit passes, one level more is too deep', () => {
  assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH)), false);
  assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
  assert.equal(jsonTooDeep(JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200))), true);
});

test('scalars, flat and wide documents are never too deep; very deep ones do not overflow the stack', () => {
  for (const v of [null, 1, 'x', true, {}, [], { a: [1, 2, { b: 3 }] }, Array.from({ length: 10_000 }, (_, i) => ({ i }))]) {
    assert.equal(jsonTooDeep(v), false);
  }
  assert.equal(jsonTooDeep(nested(200_000)), true);
});
