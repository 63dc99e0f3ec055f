/**
 * Hostile values for the fuzzer: odd strings (NUL, lone surrogates, RTL marks, emoji, combining
 * marks, SQL/JSON-ish text), boundary numbers, wrong-typed stand-ins for a schema, deep nesting.
 * Huge values (~1 MB) are separate so the caller can ration them.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonSchema = Record<string, unknown>;

/** Strings that break naive code: each entry is one odd shape. */
const ODD_STRINGS: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udbff\udfff',
  '\u202egnp.exe',
  '\u200f\u200e\u202a',
  '\ufeffbom',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻',
  '\r\n\t\u000b\u000c',
  '../../../../etc/passwd',
  '..',
  '.',
  'a/b',
  'a\\b',
  '%00',
  '%2e%2e%2f',
  "'; DROP TABLE pack; --",
  '" OR 1=1 --',
  '{{ 7 * 7 }}',
  '{{',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1f',
  '9223372036854775808',
  'true',
  '[]',
  '{}',
  'core',
  'core.echo',
  'core..echo',
  '.core',
  'core.',
  'CORE.ECHO',
  'a.b.c',
  'fuzz',
  'fuzz.',
  'x'.repeat(256),
  'é'.repeat(200),
  '\u{10ffff}',
  '\uffff\ufffe',
  'ǅ',
  'İ',
  'ß',
];

/** Integers and floats at and around the edges of every width a server may store them in. */
const BOUNDARY_NUMBERS: number[] = [
  0, -0, 1, -1, 2, 255, 256, 65535, 65536,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1,
  2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, -(2 ** 63), 2 ** 64,
  1e20, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324,
  0.5, -0.5, 1.0000000000000002, 3.14159, 1e-7,
];

/** Number literals JSON.stringify cannot produce: written into the body text as is. */
export const RAW_NUMBER_LITERALS = ['1e400', '-1e400', '123456789012345678901234567890', '1.0', '-0.0', '0.1e-400', '1E+2', '00', '-', '1.', '.5', 'NaN', 'Infinity'];

export const oddString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ODD_STRINGS), fc.constantFrom(...ODD_STRINGS)).map(([a, b]) => a + b) },
  );

export const boundaryNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.maxSafeInteger() },
  );

/** Small arbitrary JSON with odd keys and odd leaves. */
export const oddJson = (depth = 3): fc.Arbitrary<Json> =>
  fc.letrec<{ v: Json }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', maxDepth: depth },
      fc.constant(null),
      fc.boolean(),
      boundaryNumber(),
      oddString(),
      fc.array(tie('v'), { maxLength: 4 }),
      fc.dictionary(oddString(), tie('v'), { maxKeys: 4 }) as fc.Arbitrary<Json>,
    ),
  })).v;

/** An object/array nested `depth` levels (around the server's 128-level limit, and far beyond). */
export function nested(depth: number, kind: 'object' | 'array'): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

export const deepValue = (): fc.Arbitrary<Json> =>
  fc.tuple(fc.constantFrom(40, 126, 127, 128, 129, 130, 500, 3000), fc.constantFrom<'object' | 'array'>('object', 'array')).map(([d, k]) => nested(d, k));

/** ~1 MB values: a long string, a wide array, a wide object. */
export const hugeValue = (): fc.Arbitrary<Json> =>
  fc.constantFrom<() => Json>(
    () => 'x'.repeat(1024 * 1024),
    () => '😀'.repeat(256 * 1024),
    () => Array.from({ length: 100_000 }, (_, i) => i),
    () => Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i])),
    () => 'a\u0000'.repeat(512 * 1024),
  ).map((make) => make());

function typesOf(schema: JsonSchema | undefined): string[] {
  const t = schema?.type;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === 'string') return [t];
  return [];
}

/** A value of a type the schema does not allow (or any odd value when the schema allows anything). */
export function wrongTypeFor(schema: JsonSchema | undefined): fc.Arbitrary<Json> {
  const allowed = new Set(typesOf(schema));
  const candidates: Array<fc.Arbitrary<Json>> = [];
  if (!allowed.has('string')) candidates.push(oddString());
  if (!allowed.has('integer') && !allowed.has('number')) candidates.push(boundaryNumber());
  if (!allowed.has('boolean')) candidates.push(fc.boolean());
  if (!allowed.has('null')) candidates.push(fc.constant(null));
  if (!allowed.has('array')) candidates.push(fc.array(oddJson(1), { maxLength: 3 }));
  if (!allowed.has('object')) candidates.push(fc.dictionary(oddString(), oddJson(1), { maxKeys: 3 }) as fc.Arbitrary<Json>);
  if (candidates.length === 0) candidates.push(oddJson(2));
  return fc.oneof(...candidates);
}

/** A value of an allowed type but at or past the schema's edges (lengths, bounds, enums, odd text). */
export function edgeValueFor(schema: JsonSchema | undefined): fc.Arbitrary<Json> {
  const types = typesOf(schema);
  const out: Array<fc.Arbitrary<Json>> = [];
  if (types.includes('string') || types.length === 0) {
    out.push(oddString());
    const max = typeof schema?.maxLength === 'number' ? schema.maxLength : undefined;
    const min = typeof schema?.minLength === 'number' ? schema.minLength : undefined;
    if (max !== undefined) out.push(fc.constantFrom('y'.repeat(max), 'y'.repeat(max + 1), '😀'.repeat(max)));
    if (min !== undefined && min > 0) out.push(fc.constant('z'.repeat(min - 1)));
    if (Array.isArray(schema?.enum)) out.push(fc.constantFrom('', 'PUBLIC', ' public', 'public\u0000', 'no-such-value'));
  }
  if (types.includes('integer') || types.includes('number')) {
    out.push(boundaryNumber());
    if (typeof schema?.minimum === 'number') out.push(fc.constantFrom(schema.minimum - 1, schema.minimum, schema.minimum - 0.5));
    if (typeof schema?.maximum === 'number') out.push(fc.constantFrom(schema.maximum + 1, schema.maximum));
  }
  if (types.includes('array')) out.push(fc.array(oddJson(2), { maxLength: 5 }), fc.constant([]), fc.constant([null]));
  if (types.includes('object')) out.push(fc.dictionary(oddString(), oddJson(2), { maxKeys: 5 }) as fc.Arbitrary<Json>, fc.constant({}));
  if (types.includes('boolean')) out.push(fc.boolean());
  if (out.length === 0) out.push(oddJson(2));
  return fc.oneof(...out);
}
