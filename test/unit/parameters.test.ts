import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { formatParameters } from '../../stack/worker/parameters';

describe('formatParameters: json', () => {
  it('is compact and on one line, even with newlines in values', () => {
    const out = formatParameters({ message: 'a\nb', n: 1, nested: { list: [1, 2] }, nil: null }, 'json');
    assert.equal(out, '{"message":"a\\nb","n":1,"nested":{"list":[1,2]},"nil":null}');
    assert.equal(out.includes('\n'), false);
    assert.equal(formatParameters({}, 'json'), '{}');
  });
});

describe('formatParameters: dotenv', () => {
  it('flattens, stringifies, escapes and sorts', () => {
    const out = formatParameters(
      {
        zeta: 'last',
        message: "it's here",
        count: 3,
        ratio: 0.5,
        enabled: true,
        nothing: null,
        tags: ['a', 'b'],
        headers: { Authorization: 'Bearer x', nested: { deep: 1 } },
        empty: {},
        alpha: '',
      },
      'dotenv',
    );
    assert.equal(
      out,
      [
        "alpha=''",
        "count='3'",
        "enabled='true'",
        "headers.Authorization='Bearer x'",
        "headers.nested.deep='1'",
        "message='it'\\''s here'",
        "nothing=''",
        "ratio='0.5'",
        `tags='["a","b"]'`,
        "zeta='last'",
      ].join('\n'),
    );
  });
  it('produces nothing for empty input or only empty objects', () => {
    assert.equal(formatParameters({}, 'dotenv'), '');
    assert.equal(formatParameters({ a: {}, b: { c: {} } }, 'dotenv'), '');
  });
  it('keeps multi-line values inside the quotes', () => {
    assert.equal(formatParameters({ text: "l1\nl2'" }, 'dotenv'), "text='l1\nl2'\\'''");
  });
});

describe('formatParameters: yaml', () => {
  it('round-trips through a YAML parser', () => {
    const params = { message: 'hello: world', n: 2, list: [1, 'x'], nested: { a: null, b: true } };
    const out = formatParameters(params, 'yaml');
    assert.deepEqual(YAML.parse(out), params);
    assert.match(out, /^message: "?hello: world"?/m);
  });
});
