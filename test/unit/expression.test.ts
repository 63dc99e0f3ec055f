import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, ExpressionError, isTruthy } from '../../stack/executor/expression';

const ctx = {
  parameters: { name: 'ada', count: 3, items: ['a', 'b', 'c'], nested: { list: [{ v: 1 }, { v: 2 }] } },
  event: { payload: { status: 'critical', value: 150, environment: 'prod', tags: ['x', 'y'] } },
  n: null,
  zero: 0,
};
const ev = (src: string, c: Record<string, unknown> = ctx): unknown => evaluateExpression(src, c);

describe('expression literals', () => {
  it('parses numbers, strings, booleans, null', () => {
    assert.equal(ev('42'), 42);
    assert.equal(ev('3.25'), 3.25);
    assert.equal(ev('1e3'), 1000);
    assert.equal(ev('"dq"'), 'dq');
    assert.equal(ev("'sq'"), 'sq');
    assert.equal(ev("'it\\'s'"), "it's");
    assert.equal(ev('"a\\nb"'), 'a\nb');
    assert.equal(ev('true'), true);
    assert.equal(ev('False'), false);
    assert.equal(ev('null'), null);
    assert.equal(ev('None'), null);
    assert.equal(ev('True'), true);
  });
  it('builds lists and objects', () => {
    assert.deepEqual(ev('[1, "two", [3], null]'), [1, 'two', [3], null]);
    assert.deepEqual(ev('[]'), []);
    assert.deepEqual(ev('{a: 1, "b c": [2], \'d\': parameters.name}'), { a: 1, 'b c': [2], d: 'ada' });
    assert.deepEqual(ev('{}'), {});
    assert.deepEqual(ev('[1, 2,]'), [1, 2]);
  });
});

describe('expression identifiers and access', () => {
  it('resolves names, fields and indexes', () => {
    assert.equal(ev('parameters.name'), 'ada');
    assert.equal(ev('parameters.items[0]'), 'a');
    assert.equal(ev('parameters.items[-1]'), 'c');
    assert.equal(ev('parameters.items[-3]'), 'a');
    assert.equal(ev('parameters.items[1 + 1]'), 'c');
    assert.equal(ev('parameters.nested.list[1].v'), 2);
    assert.equal(ev('parameters.nested.list.0.v'), 1);
    assert.equal(ev('parameters["name"]'), 'ada');
    assert.equal(ev('"hello"[1]'), 'e');
    assert.equal(ev('[10, 20, 30][-2]'), 20);
  });
  it('yields null for missing names, missing fields and access through null', () => {
    assert.equal(ev('nope'), null);
    assert.equal(ev('nope.deeper.still'), null);
    assert.equal(ev('parameters.missing'), null);
    assert.equal(ev('n.x'), null);
    assert.equal(ev('n[0]'), null);
    assert.equal(ev('parameters.items[3]'), null);
    assert.equal(ev('parameters.items[-4]'), null);
    assert.equal(ev('parameters.name.length'), null);
    assert.equal(ev('toString'), null, 'prototype members are not visible');
    assert.equal(ev('parameters.constructor'), null);
  });
});

describe('expression operators', () => {
  it('honours arithmetic precedence', () => {
    assert.equal(ev('1 + 2 * 3'), 7);
    assert.equal(ev('(1 + 2) * 3'), 9);
    assert.equal(ev('10 - 4 - 3'), 3);
    assert.equal(ev('2 * -3'), -6);
    assert.equal(ev('-2 * 3 + 10 % 4'), -4);
    assert.equal(ev('--5'), 5);
    assert.equal(ev('-parameters.count'), -3);
  });
  it('divides to a float unless exact', () => {
    assert.equal(ev('6 / 3'), 2);
    assert.equal(ev('7 / 2'), 3.5);
    assert.equal(ev('7 % 3'), 1);
    assert.throws(() => ev('1 / 0'), ExpressionError);
    assert.throws(() => ev('1 % 0'), ExpressionError);
  });
  it('concatenates strings and arrays with +, but does not coerce', () => {
    assert.equal(ev('"a" + "b"'), 'ab');
    assert.deepEqual(ev('[1] + [2, 3]'), [1, 2, 3]);
    assert.throws(() => ev('"a" + 1'), ExpressionError);
    assert.throws(() => ev('[1] + 1'), ExpressionError);
    assert.throws(() => ev('"a" - "b"'), ExpressionError);
    assert.throws(() => ev('-"a"'), ExpressionError);
  });
  it('compares without implicit coercion', () => {
    assert.equal(ev('"3" == 3'), false);
    assert.equal(ev('"3" != 3'), true);
    assert.equal(ev('3 == 3.0'), true);
    assert.equal(ev('2 < 2.5'), true);
    assert.equal(ev('5 >= 5'), true);
    assert.equal(ev('5 > 5'), false);
    assert.equal(ev('4 <= 3'), false);
    assert.equal(ev('"abc" < "abd"'), true);
    assert.equal(ev('null == null'), true);
    assert.equal(ev('nope == null'), true);
    assert.equal(ev('0 == false'), false);
    assert.equal(ev('1 == true'), false);
    assert.throws(() => ev('"3" < 4'), ExpressionError);
    assert.throws(() => ev('null > 1'), ExpressionError);
  });
  it('uses deep equality for arrays and objects', () => {
    assert.equal(ev('[1, [2, {a: 3}]] == [1, [2, {a: 3}]]'), true);
    assert.equal(ev('[1, 2] == [2, 1]'), false);
    assert.equal(ev('{a: 1, b: 2} == {b: 2, a: 1}'), true);
    assert.equal(ev('{a: 1} == {a: 1, b: 2}'), false);
    assert.equal(ev('parameters.items == ["a", "b", "c"]'), true);
    assert.equal(ev('[1] == 1'), false);
  });
  it('supports in / not in for arrays, strings and objects', () => {
    assert.equal(ev("event.payload.environment in ['prod', 'staging']"), true);
    assert.equal(ev("'dev' in ['prod', 'staging']"), false);
    assert.equal(ev('[1, 2] in [[1, 2], [3]]'), true);
    assert.equal(ev('"3" in [3]'), false);
    assert.equal(ev('"ell" in "hello"'), true);
    assert.equal(ev('"name" in parameters'), true);
    assert.equal(ev('"zzz" in parameters'), false);
    assert.equal(ev('1 in nope'), false);
    assert.equal(ev('"x" not in ["a"]'), true);
    assert.throws(() => ev('1 in "abc"'), ExpressionError);
    assert.throws(() => ev('1 in 5'), ExpressionError);
  });
  it('applies logical precedence: or < and < not < comparison', () => {
    assert.equal(ev('true or false and false'), true);
    assert.equal(ev('(true or false) and false'), false);
    assert.equal(ev('not false and false'), false);
    assert.equal(ev('not 1 == 2'), true);
    assert.equal(ev('not not 1'), true);
    assert.equal(ev('event.payload.status == "critical" and event.payload.value > 100'), true);
    assert.equal(ev('event.payload.value > 1000 or event.payload.environment == "prod"'), true);
    assert.equal(ev('1 + 1 == 2 and "a" in ["a"]'), true);
  });
  it('short-circuits and returns booleans from and/or', () => {
    assert.equal(ev('false and (1 / 0)'), false);
    assert.equal(ev('true or (1 / 0)'), true);
    assert.equal(ev('1 and "x"'), true);
    assert.equal(ev('0 or ""'), false);
  });
});

describe('isTruthy', () => {
  it('treats null, false, 0, "", [], {} as falsy', () => {
    for (const v of [null, undefined, false, 0, '', [], {}]) assert.equal(isTruthy(v), false, JSON.stringify(v));
    for (const v of [true, 1, -1, 0.5, 'x', ' ', [0], { a: null }]) assert.equal(isTruthy(v), true, JSON.stringify(v));
  });
});

describe('expression functions', () => {
  const cases: Array<[string, unknown]> = [
    ['string(12)', '12'],
    ['string(true)', 'true'],
    ['string([1, "a"])', '[1,"a"]'],
    ['string(null)', 'null'],
    ['number("3.5")', 3.5],
    ['number(true)', 1],
    ['int("42")', 42],
    ['int(3.9)', 3],
    ['int(-3.9)', -3],
    ['bool("")', false],
    ['bool([1])', true],
    ['type_of(1)', 'int'],
    ['type_of(1.5)', 'float'],
    ['type_of("s")', 'string'],
    ['type_of(null)', 'null'],
    ['type_of(false)', 'bool'],
    ['type_of([])', 'array'],
    ['type_of({})', 'object'],
    ['length("héllo")', 5],
    ['length(parameters.items)', 3],
    ['length({a: 1, b: 2})', 2],
    ['keys({b: 1, a: 2})', ['b', 'a']],
    ['values({b: 1, a: 2})', [1, 2]],
    ['abs(-4)', 4],
    ['floor(2.7)', 2],
    ['ceil(2.1)', 3],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['round(3.14159, 2)', 3.14],
    ['min([3, 1, 2])', 1],
    ['max(3, 9, 2)', 9],
    ['min(["b", "a"])', 'a'],
    ['sum([1, 2, 3.5])', 6.5],
    ['sum([])', 0],
    ['lower("AbC")', 'abc'],
    ['upper("abc")', 'ABC'],
    ['trim("  x ")', 'x'],
    ['split("a,b,,c", ",")', ['a', 'b', '', 'c']],
    ['split("a  b c")', ['a', 'b', 'c']],
    ['join(["a", 1, true], "-")', 'a-1-true'],
    ['replace("a.b.c", ".", "/")', 'a/b/c'],
    ['starts_with("hello", "he")', true],
    ['ends_with("hello", "lo")', true],
    ['match("abc123", "^[a-z]+\\\\d+$")', true],
    ['match("abc", "^\\\\d")', false],
    ['contains("hello", "ell")', true],
    ['contains([1, {a: 2}], {a: 2})', true],
    ['contains({k: 1}, "k")', true],
    ['reversed([1, 2, 3])', [3, 2, 1]],
    ['reversed("abc")', 'cba'],
    ['sort([3, 1, 2])', [1, 2, 3]],
    ['sort(["b", "c", "a"])', ['a', 'b', 'c']],
    ['unique([1, 2, 1, [1], [1]])', [1, 2, [1]]],
    ['flat([[1, 2], 3, [[4]]])', [1, 2, 3, [4]]],
    ['zip([1, 2, 3], ["a", "b"])', [[1, 'a'], [2, 'b']]],
    ['range(3)', [0, 1, 2]],
    ['range(2, 5)', [2, 3, 4]],
    ['range(10, 0, -3)', [10, 7, 4, 1]],
    ['slice([1, 2, 3, 4], 1, 3)', [2, 3]],
    ['slice([1, 2, 3, 4], -2)', [3, 4]],
    ['slice("hello", 1, -1)', 'ell'],
    ['index_of(["a", "b"], "b")', 1],
    ['index_of(["a", "b"], "z")', -1],
    ['index_of("hello", "l")', 2],
    ['count([1, 2, 1], 1)', 2],
    ['count("banana", "an")', 2],
    ['merge({a: 1, b: 1}, {b: 2}, {c: 3})', { a: 1, b: 2, c: 3 }],
    ['chunks([1, 2, 3, 4, 5], 2)', [[1, 2], [3, 4], [5]]],
    ['length(parameters.items) > 2 and upper(parameters.name) == "ADA"', true],
  ];
  for (const [src, expected] of cases) {
    it(src, () => assert.deepEqual(ev(src), expected));
  }
  it('rejects unknown functions and bad arguments', () => {
    assert.throws(() => ev('nosuchfn(1)'), ExpressionError);
    assert.throws(() => ev('length(5)'), ExpressionError);
    assert.throws(() => ev('number("abc")'), ExpressionError);
    assert.throws(() => ev('upper(1)'), ExpressionError);
    assert.throws(() => ev('sort([1, "a"])'), ExpressionError);
    assert.throws(() => ev('match("a", "(")'), ExpressionError);
    assert.throws(() => ev('parameters.name()'), ExpressionError);
  });
  it('calls functions from context.__functions__ and chains postfix access on results', () => {
    const c = {
      __functions__: {
        succeeded: () => true,
        result: () => ({ data: { items: [{ id: 7 }] } }),
        add: (a: unknown, b: unknown) => (a as number) + (b as number),
      },
    };
    assert.equal(ev('succeeded()', c), true);
    assert.equal(ev('result().data.items[0].id', c), 7);
    assert.equal(ev('result().data.missing', c), null);
    assert.equal(ev('add(2, 3) * 2', c), 10);
    assert.equal(ev('__functions__', c), null);
    assert.throws(() => ev('failed()', c), ExpressionError);
  });
});

describe('expression syntax errors', () => {
  for (const src of ['', '1 +', '(1', '[1, 2', '"open', '1 2', 'a..b', '{a 1}', '@', 'and', '1 = 1']) {
    it(`rejects ${JSON.stringify(src)}`, () => assert.throws(() => ev(src), ExpressionError));
  }
});
