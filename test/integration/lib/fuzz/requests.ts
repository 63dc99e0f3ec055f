/**
 * Request generation for one write operation: a valid-ish request (schema-derived body overlaid
 * with the fixtures' real refs, valid path parameters, a good token) and its broken variants —
 * one body field mutated, the whole body of the wrong JSON type, raw non-JSON bytes, a wrong
 * content type, a bad Authorization header, an invalid path parameter.
 */
import fc from 'fast-check';
import { applyMutation, describeMutation, abbreviate, mutationFor } from './mutate';
import type { Operation } from './openapi';
import { validFromSchema } from './schema-arb';
import type { WireRequest } from './transport';
import { deepValue, oddJson, oddString, RAW_NUMBER_LITERALS, type Json, type JsonSchema } from './values';

export type Variant = 'valid' | 'mutated' | 'body-type' | 'raw-body' | 'content-type' | 'bad-auth' | 'bad-path' | 'multipart';

export interface FuzzRequest {
  op: string;
  variant: Variant;
  /** What was broken, for the report. */
  detail: string;
  wire: WireRequest;
  /** The request carries no usable credentials on a secured route: must not be 2xx. */
  mustBeRefused: boolean;
}

/** How the fuzzer may call one operation (the fixtures it may touch). */
export interface OpContext {
  op: Operation;
  /** Which token a well-formed request carries. */
  auth: 'admin' | 'sensor' | 'none';
  /** Valid raw values of the path parameters (never the ids/refs of anything the run needs). */
  path?: Record<string, fc.Arbitrary<string>>;
  /** Valid-ish body; undefined = derived from the schema alone; null = the operation takes no body. */
  body?: fc.Arbitrary<Json> | null;
  /** Multipart bodies (pack upload) instead of JSON. */
  multipart?: fc.Arbitrary<{ detail: string; contentType: string; body: Buffer }>;
  /** Lower or raise this operation's share of the run (default 1). */
  weight?: number;
}

export interface Credentials {
  admin: string;
  sensor: string;
  /** Authorization header values that must never authenticate. */
  bad: Array<{ name: string; header: string | undefined }>;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes every byte outside the unreserved set (lone surrogates become U+FFFD, as any UTF-8 encoder does). */
export function encodeSegment(raw: string): string {
  let out = '';
  for (const byte of Buffer.from(raw, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Invalid path parameters, already in wire form (some deliberately malformed percent-encoding). */
const BAD_SEGMENTS: string[] = [
  '.', '..', '%2e', '%2e%2e', '%2F', 'a%2Fb', '..%2F..%2Fetc%2Fpasswd', '%5C', '%00', 'a%00b', '%ZZ', '%', '%E0%A4', '%ED%A0%80', '%C0%AE',
  '%F0%9F%98%80', '%E2%80%AE', '%CC%81', '-1', '0', '-0', '00', '1e3', '1.5', '0x10', '+1', '%20', '%201', 'null', 'undefined', 'NaN',
  '2147483648', '-2147483649', '9007199254740993', '9223372036854775807', '9223372036854775808', '-9223372036854775809',
  '99999999999999999999', '1' + '0'.repeat(400), 'Infinity', '%D9%A1%D9%A2', 'x'.repeat(5000), 'a.b.c', 'core.', '.core', 'CORE', 'fuzz..x',
];

/**
 * A bad path segment that could still name something real is dropped: one that a path validator
 * coerces to a small positive id (`+1`, `%201`, `0x10` → the admin, its role, its permission
 * set…), or one that spells a real pack or a ref inside it (`core`, `core.echo`, `fuzz`).
 */
export function couldNameSomethingReal(segment: string): boolean {
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    return false;
  }
  const n = Number(text.trim());
  if (text.trim() !== '' && Number.isInteger(n) && n >= 1 && n < 1_000_000_000) return true;
  return /^(core|fuzz[a-z_]*)(\.[^.]*)?$/.test(text.trim());
}

const WRONG_CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data', 'application/json; charset=utf-16',
  'application/jsonx', 'application/octet-stream', 'json', '*/*', 'application/json, text/plain', 'application/vnd.api+json',
  `application/json; ${'p=1; '.repeat(500)}`, '',
];

function pathFor(op: Operation, values: Record<string, string>): string {
  return op.template.replace(/\{([^}]+)\}/g, (_m, name: string) => values[name]);
}

function validPath(ctx: OpContext): fc.Arbitrary<string> {
  const params = ctx.op.pathParams;
  if (params.length === 0) return fc.constant(ctx.op.template);
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const p of params) {
    const arb = ctx.path?.[p.name];
    if (!arb) throw new Error(`${ctx.op.key}: no valid value for path parameter ${p.name}`);
    model[p.name] = arb.map(encodeSegment);
  }
  return fc.record(model).map((v) => pathFor(ctx.op, v));
}

function badPath(ctx: OpContext): fc.Arbitrary<{ path: string; detail: string }> {
  const params = ctx.op.pathParams;
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BAD_SEGMENTS) },
    { weight: 2, arbitrary: oddString().filter((s) => s !== '').map(encodeSegment) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000_000_000, max: 2 ** 31 - 1 }).map(String) },
    { weight: 1, arbitrary: fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String) },
  );
  return fc.record({ which: fc.constantFrom(...params.map((p) => p.name)), seg: segment.filter((s) => !couldNameSomethingReal(s)), valid: validPathValues(ctx) }).map(({ which, seg, valid }) => ({
    path: pathFor(ctx.op, { ...valid, [which]: seg }),
    detail: `${which} = ${abbreviate(seg, 80)}`,
  }));
}

function validPathValues(ctx: OpContext): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const p of ctx.op.pathParams) model[p.name] = ctx.path![p.name].map(encodeSegment);
  return fc.record(model);
}

function baseHeaders(ctx: OpContext, creds: Credentials): Record<string, string> {
  if (ctx.auth === 'admin') return { authorization: `Bearer ${creds.admin}` };
  if (ctx.auth === 'sensor') return { authorization: `Bearer ${creds.sensor}` };
  return {};
}

const json = (v: Json) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');

/** Bodies that are not JSON, or JSON no parser should accept, derived from a valid body. */
function rawBodies(valid: Json): fc.Arbitrary<{ detail: string; body: Buffer }> {
  const text = JSON.stringify(valid) ?? 'null';
  const firstKey = valid && typeof valid === 'object' && !Array.isArray(valid) ? Object.keys(valid)[0] : undefined;
  const cases: Array<fc.Arbitrary<{ detail: string; body: Buffer }>> = [
    fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((n) => ({ detail: `truncated at ${n}`, body: Buffer.from(text.slice(0, n)) })),
    fc.constantFrom('', ' ', '\n', '{', '}', '[', 'nul', 'tru', '{"a":1,}', "{'a':1}", '{"a":1}//c', '/*x*/{}', '{"a" 1}', '{"a":01}', '\u0000', '{"a":"\u0000"}', '{"a":"\\u0000"}', '{"a":"\\ud800"}', '{"a":"\\udc00\\ud800"}', '{"a":"\\uZZZZ"}', '{"a":"\t"}', '{"a":1}{"b":2}', '[1,2', 'undefined', 'NaN').map((s) => ({ detail: `text ${JSON.stringify(s)}`, body: Buffer.from(s) })),
    fc.constant({ detail: 'UTF-8 BOM before JSON', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) }),
    fc.constant({ detail: 'UTF-16LE JSON', body: Buffer.from(text, 'utf16le') }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => ({ detail: `random bytes ${Buffer.from(b).toString('hex').slice(0, 40)}`, body: Buffer.from(b) })),
    fc.constant({ detail: 'invalid UTF-8 inside a string', body: Buffer.concat([Buffer.from(text.slice(0, -1) + (text.endsWith('}') && text.length > 2 ? ',' : '') + '"x":"'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('"}')]) }),
    fc.constant({ detail: 'trailing garbage', body: Buffer.from(`${text} garbage`) }),
  ];
  if (firstKey !== undefined) {
    cases.push(
      fc.constantFrom(...RAW_NUMBER_LITERALS).map((lit) => ({
        detail: `${firstKey} = raw literal ${lit}`,
        body: Buffer.from(text.replace(/^\{/, `{${JSON.stringify(firstKey)}:${lit},`).replace(/,}$/, '}')),
      })),
      fc.constant({ detail: `duplicate key ${firstKey}`, body: Buffer.from(text.replace(/^\{/, `{${JSON.stringify(firstKey)}:{"dup":true},`)) }),
      fc.constant({ detail: '__proto__ key', body: Buffer.from(text.replace(/^\{/, '{"__proto__":{"polluted":true},')) }),
      fc.constant({ detail: 'constructor.prototype key', body: Buffer.from(text.replace(/^\{/, '{"constructor":{"prototype":{"polluted":true}},')) }),
    );
  }
  return fc.oneof(...cases);
}

/** The arbitrary of every request this run may send to one operation. */
export function requestsFor(ctx: OpContext, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const { op } = ctx;
  const key = op.key;
  const headers = baseHeaders(ctx, creds);
  const path = validPath(ctx);
  const secured = op.secured || ctx.auth !== 'none';
  const variants: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }> = [];
  const req = (variant: Variant, detail: string, wire: WireRequest, mustBeRefused = false): FuzzRequest => ({ op: key, variant, detail, wire, mustBeRefused });

  if (ctx.multipart) {
    variants.push({
      weight: 12,
      arbitrary: fc.tuple(path, ctx.multipart).map(([p, m]) =>
        req('multipart', m.detail, { method: op.method, path: p, headers: { ...headers, 'content-type': m.contentType }, body: m.body }),
      ),
    });
  }

  const takesBody = ctx.body !== null && (ctx.body !== undefined || op.bodySchema !== undefined);
  const schema: JsonSchema | undefined = op.bodySchema;
  if (takesBody) {
    const body = (ctx.body ?? validFromSchema(schema)) as fc.Arbitrary<Json>;
    const jsonHeaders = { ...headers, 'content-type': 'application/json' };
    variants.push(
      { weight: 2, arbitrary: fc.tuple(path, body).map(([p, b]) => req('valid', abbreviate(JSON.stringify(b) ?? ''), { method: op.method, path: p, headers: jsonHeaders, body: json(b) })) },
      {
        weight: 10,
        arbitrary: fc
          .tuple(path, body)
          .chain(([p, b]) => mutationFor(b, schema, true).map((m) => ({ p, m, out: applyMutation(b, m) })))
          .map(({ p, m, out }) => req('mutated', describeMutation(m), { method: op.method, path: p, headers: jsonHeaders, body: json(out) })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(path, fc.oneof(fc.constantFrom<Json>([], null, true, 0, -1, 'text', [{}], [null]), oddJson(2), deepValue(), body.map((b) => [b] as Json)))
          .map(([p, whole]) => req('body-type', `body = ${abbreviate(JSON.stringify(whole) ?? '', 80)}`, { method: op.method, path: p, headers: jsonHeaders, body: json(whole) })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(path, body)
          .chain(([p, b]) => rawBodies(b).map((r) => ({ p, r })))
          .map(({ p, r }) => req('raw-body', r.detail, { method: op.method, path: p, headers: jsonHeaders, body: r.body })),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(path, body, fc.constantFrom(...WRONG_CONTENT_TYPES, '(none)')).map(([p, b, ct]) => {
          const h: Record<string, string> = { ...headers };
          if (ct !== '(none)') h['content-type'] = ct;
          return req('content-type', `content-type ${abbreviate(JSON.stringify(ct), 60)}`, { method: op.method, path: p, headers: h, body: json(b) });
        }),
      },
    );
  } else if (!ctx.multipart) {
    // bodiless operations: none at all, an empty JSON body, and a stray body
    variants.push(
      { weight: 4, arbitrary: path.map((p) => req('valid', 'no body', { method: op.method, path: p, headers })) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(path, fc.oneof(fc.constant(Buffer.alloc(0)), oddJson(2).map(json), fc.constant(Buffer.from('{')), deepValue().map(json)), fc.constantFrom('application/json', 'text/plain', '(none)'))
          .map(([p, b, ct]) => {
            const h: Record<string, string> = { ...headers };
            if (ct !== '(none)') h['content-type'] = ct;
            return req('raw-body', `stray body ${abbreviate(b.toString('utf8'), 60)} as ${ct}`, { method: op.method, path: p, headers: h, body: b });
          }),
      },
    );
  }

  // bad credentials and bad path parameters come with an otherwise valid body
  const validBody: fc.Arbitrary<Buffer | undefined> = takesBody ? ((ctx.body ?? validFromSchema(schema)) as fc.Arbitrary<Json>).map(json) : fc.constant(undefined);
  const withBody = (h: Record<string, string>, b: Buffer | undefined) => (b === undefined ? h : { ...h, 'content-type': 'application/json' });
  variants.push({
    weight: takesBody ? 1 : 2,
    arbitrary: fc.tuple(path, fc.constantFrom(...creds.bad), validBody).map(([p, bad, b]) => {
      const h: Record<string, string> = { ...headers };
      delete h.authorization;
      if (bad.header !== undefined) h.authorization = bad.header;
      return req('bad-auth', bad.name, { method: op.method, path: p, headers: withBody(h, b), body: b }, secured);
    }),
  });

  if (op.pathParams.length) {
    variants.push({
      weight: takesBody ? 2 : 4,
      arbitrary: fc.tuple(badPath(ctx), validBody).map(([{ path: p, detail }, b]) => req('bad-path', detail, { method: op.method, path: p, headers: withBody(headers, b), body: b })),
    });
  }
  return fc.oneof(...variants);
}
