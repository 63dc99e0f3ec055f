import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExact, stringifyExact } from '../../stack/common/exact-json';
import { jsonText, parseJsonExact } from '../../support/json-text';

const TEXT = '{"a":9007199254740993,"b":[-9223372036854775808,18446744073709551615],"c":9007199254740991,"d":0.5,"e":"12345678901234567890"}';

test('stack: integers a double cannot hold parse to exact bigints, the rest as JSON.parse gives them', () => {
  assert.deepEqual(parseExact(TEXT), {
    a: 9007199254740993n, b: [-9223372036854775808n, 18446744073709551615n], c: 9007199254740991, d: 0.5, e: '12345678901234567890',
  });
  assert.deepEqual(parseExact('{"x":1,"y":[2.5,null]}'), { x: 1, y: [2.5, null] });
});

test('stack: stringifyExact writes bigints as their digits and round-trips the text', () => {
  assert.equal(stringifyExact(parseExact(TEXT)), TEXT);
  assert.equal(stringifyExact({ n: 5n, s: 'x' }), '{"n":5,"s":"x"}');
  assert.equal(stringifyExact({ a: [1] }, null, 2), JSON.stringify({ a: [1] }, null, 2));
});

test('stack: a duplicate key keeps the last value, as JSON.parse does', () => {
  assert.deepEqual(parseExact('{"k":1,"k":9007199254740993}'), { k: 9007199254740993n });
});

test('suite: the lossless reader and writer agree with the stack', () => {
  assert.deepEqual(parseJsonExact(TEXT, 'text'), parseExact(TEXT));
  assert.equal(jsonText(parseJsonExact(TEXT, 'text')), TEXT);
  assert.throws(() => parseJsonExact('{"a":', 'broken'), /broken is not valid JSON/);
});
