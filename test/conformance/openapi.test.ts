/**
 * OpenAPI conformance of the reference stack against Attune 0.2.1's published document, for every
 * operation the acceptance suite uses:
 *   - the path and method exist in our document;
 *   - every field Attune requires in the JSON request body is required in ours;
 *   - our document answers with the same 2xx status, and every field Attune marks required in that
 *     response is a property of our response schema (nested objects too, `$ref`s resolved).
 *     Attune documents a few responses without the `{data: …}` envelope its server sends; our
 *     envelope is then looked through.
 *
 * Our document comes from a running API when ATTUNE_API_URL answers, else from the server built
 * in-process with a stub context (no database or broker needed to build the document).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, Schema>>; components?: Record<string, unknown> };

/** [method, path] in Attune's notation. */
export const OPERATIONS: Array<[string, string]> = [
  // auth
  ['post', '/auth/register'], ['post', '/auth/login'], ['post', '/auth/refresh'], ['get', '/auth/me'],
  // packs
  ['get', '/api/v1/packs'], ['post', '/api/v1/packs'], ['get', '/api/v1/packs/{ref}'], ['put', '/api/v1/packs/{ref}'],
  ['delete', '/api/v1/packs/{ref}'], ['post', '/api/v1/packs/upload'],
  // actions
  ['get', '/api/v1/actions'], ['post', '/api/v1/actions'], ['get', '/api/v1/actions/{ref}'], ['put', '/api/v1/actions/{ref}'],
  ['delete', '/api/v1/actions/{ref}'],
  // triggers and webhooks
  ['get', '/api/v1/triggers'], ['post', '/api/v1/triggers'], ['get', '/api/v1/triggers/{ref}'], ['put', '/api/v1/triggers/{ref}'],
  ['delete', '/api/v1/triggers/{ref}'], ['post', '/api/v1/triggers/{ref}/webhooks/enable'],
  ['post', '/api/v1/triggers/{ref}/webhooks/disable'], ['post', '/api/v1/triggers/{ref}/webhooks/regenerate'],
  ['post', '/api/v1/webhooks/{webhook_key}'],
  // rules
  ['get', '/api/v1/rules'], ['post', '/api/v1/rules'], ['get', '/api/v1/rules/{ref}'], ['put', '/api/v1/rules/{ref}'],
  ['delete', '/api/v1/rules/{ref}'], ['post', '/api/v1/rules/{ref}/enable'], ['post', '/api/v1/rules/{ref}/disable'],
  // events and enforcements
  ['get', '/api/v1/events'], ['get', '/api/v1/events/{id}'], ['post', '/api/v1/events'],
  ['get', '/api/v1/enforcements'], ['get', '/api/v1/enforcements/{id}'],
  // executions
  ['post', '/api/v1/executions/execute'], ['get', '/api/v1/executions'], ['get', '/api/v1/executions/{id}'],
  ['post', '/api/v1/executions/{id}/cancel'],
  // workflows
  ['get', '/api/v1/workflows'], ['post', '/api/v1/workflows'], ['get', '/api/v1/workflows/{ref}'], ['put', '/api/v1/workflows/{ref}'],
  ['delete', '/api/v1/workflows/{ref}'], ['get', '/api/v1/packs/{pack_ref}/workflows'],
  // keys
  ['get', '/api/v1/keys'], ['post', '/api/v1/keys'], ['get', '/api/v1/keys/{ref}'], ['put', '/api/v1/keys/{ref}'],
  ['delete', '/api/v1/keys/{ref}'],
  // identities
  ['get', '/api/v1/identities'], ['post', '/api/v1/identities'], ['get', '/api/v1/identities/{id}'],
  ['put', '/api/v1/identities/{id}'], ['delete', '/api/v1/identities/{id}'], ['post', '/api/v1/identities/{id}/freeze'],
  ['post', '/api/v1/identities/{id}/unfreeze'], ['post', '/api/v1/identities/{id}/roles'],
  ['delete', '/api/v1/identities/roles/{id}'], ['get', '/api/v1/identities/{id}/permissions'],
  // permissions
  ['get', '/api/v1/permissions/sets'], ['put', '/api/v1/permissions/sets/{id}'], ['post', '/api/v1/permissions/sets/{id}/roles'],
  ['delete', '/api/v1/permissions/sets/roles/{id}'], ['post', '/api/v1/permissions/assignments'],
  ['delete', '/api/v1/permissions/assignments/{id}'],
  // inquiries
  ['get', '/api/v1/inquiries'], ['post', '/api/v1/inquiries'], ['get', '/api/v1/inquiries/status/{status}'],
  ['get', '/api/v1/inquiries/{id}'], ['put', '/api/v1/inquiries/{id}'], ['delete', '/api/v1/inquiries/{id}'],
  ['post', '/api/v1/inquiries/{id}/respond'], ['get', '/api/v1/executions/{execution_id}/inquiries'],
];

function referencePath(): string | null {
  const candidates = [
    process.env.ATTUNE_OPENAPI_REFERENCE,
    path.resolve(__dirname, '../../../shared/spec/attune-openapi-0.2.1.json'),
    '/work/shared/spec/attune-openapi-0.2.1.json',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

async function fromRunningApi(): Promise<Doc | null> {
  const base = process.env.ATTUNE_API_URL;
  if (!base) return null;
  try {
    const res = await fetch(new URL('/api-spec/openapi.json', base), { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return null;
    return (await res.json()) as Doc;
  } catch {
    return null;
  }
}

/** Builds the server with a context whose pool and broker are never touched while the document is generated. */
async function fromInProcessServer(): Promise<{ doc: Doc; close: () => Promise<void> }> {
  const pino = (await import('pino')).default;
  const { config } = await import('../../stack/common/config');
  const { buildServer } = await import('../../stack/api/server');
  const unavailable = async () => {
    throw new Error('no database in the conformance test');
  };
  const ctx = {
    pool: { query: unavailable, connect: unavailable, end: async () => undefined },
    mq: { publish: unavailable, close: async () => undefined },
    cfg: config(),
    log: pino({ level: 'silent' }),
  } as unknown as import('../../stack/api/context').ApiContext;
  const app = await buildServer(ctx);
  await app.ready();
  return { doc: app.swagger() as unknown as Doc, close: () => app.close() };
}

// ---------------------------------------------------------------------------------------------
// Schema helpers
// ---------------------------------------------------------------------------------------------
function deref(doc: Doc, s: unknown, depth = 0): Schema | undefined {
  let cur = s as Schema | undefined;
  while (cur && typeof cur.$ref === 'string' && depth < 50) {
    const parts = (cur.$ref as string).replace(/^#\//, '').split('/');
    cur = parts.reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k], doc) as Schema | undefined;
    depth++;
  }
  return cur;
}

/** The object schema inside `s`: itself, its array items, or the non-null branch of oneOf/anyOf/allOf. */
function objectOf(doc: Doc, s: unknown): Schema | undefined {
  const r = deref(doc, s);
  if (!r) return undefined;
  if (r.properties) return r;
  if (r.items) return objectOf(doc, r.items);
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    const branches = r[key];
    if (Array.isArray(branches)) {
      for (const b of branches) {
        const o = objectOf(doc, b);
        if (o) return o;
      }
    }
  }
  return undefined;
}

const requiredOf = (s: Schema | undefined): string[] => (Array.isArray(s?.required) ? (s!.required as string[]) : []);
const propsOf = (s: Schema | undefined): Record<string, unknown> => (s?.properties as Record<string, unknown>) ?? {};

function jsonSchemaOf(doc: Doc, holder: unknown): Schema | undefined {
  const h = deref(doc, holder);
  const content = h?.content as Record<string, { schema?: unknown }> | undefined;
  return content?.['application/json']?.schema ? deref(doc, content['application/json'].schema) : undefined;
}

/** Fields Attune requires at `where` that our schema lacks, recursing into nested objects we also describe. */
function missingRequired(att: Doc, ours: Doc, a: Schema | undefined, o: Schema | undefined, where: string, out: string[], depth = 0): void {
  const aObj = objectOf(att, a);
  const oObj = objectOf(ours, o);
  if (!aObj || depth > 6) return;
  if (!oObj) {
    if (requiredOf(aObj).length) out.push(`${where || '(root)'}: our schema describes no object (Attune requires ${requiredOf(aObj).join(', ')})`);
    return;
  }
  const oProps = propsOf(oObj);
  for (const field of requiredOf(aObj)) {
    if (!(field in oProps)) {
      out.push(`${where ? `${where}.` : ''}${field}`);
      continue;
    }
    const nestedOurs = objectOf(ours, oProps[field]);
    if (nestedOurs) missingRequired(att, ours, propsOf(aObj)[field] as Schema, oProps[field] as Schema, `${where ? `${where}.` : ''}${field}`, out, depth + 1);
  }
}

/** `{data: …, message?}` at the top of a response schema. */
function isEnvelope(doc: Doc, s: Schema | undefined): boolean {
  const top = deref(doc, s);
  return !!top && 'data' in propsOf(top) && requiredOf(top).includes('data') && !('items' in propsOf(top));
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------
const refFile = referencePath();

describe('OpenAPI conformance with Attune 0.2.1', { skip: refFile ? false : 'attune-openapi-0.2.1.json not found (set ATTUNE_OPENAPI_REFERENCE)' }, () => {
  let att: Doc;
  let ours: Doc;
  let close: () => Promise<void> = async () => undefined;

  before(async () => {
    att = JSON.parse(fs.readFileSync(refFile!, 'utf8')) as Doc;
    const running = await fromRunningApi();
    if (running) ours = running;
    else {
      const built = await fromInProcessServer();
      ours = built.doc;
      close = built.close;
    }
  });
  after(async () => close());

  it('lists every operation in the reference document', () => {
    for (const [m, p] of OPERATIONS) assert.ok(att.paths[p]?.[m], `reference lacks ${m.toUpperCase()} ${p}`);
  });

  for (const [method, p] of OPERATIONS) {
    const label = `${method.toUpperCase()} ${p}`;
    it(label, () => {
      const a = att.paths[p]?.[method];
      const o = ours.paths[p]?.[method];
      assert.ok(o, `${label} is missing from our document`);
      assert.ok(a, `${label} is missing from the reference document`);

      // Request body: Attune's required fields must be required by us too.
      const aBody = jsonSchemaOf(att, a.requestBody);
      if (aBody) {
        const oBody = jsonSchemaOf(ours, o.requestBody);
        const aReq = requiredOf(objectOf(att, aBody));
        const oReq = requiredOf(objectOf(ours, oBody));
        const notRequired = aReq.filter((f) => !oReq.includes(f));
        assert.deepEqual(notRequired, [], `${label}: request fields Attune requires but we do not`);
      }

      // Success response: same status code, Attune's required fields present.
      const aResponses = a.responses as Record<string, unknown>;
      const code = Object.keys(aResponses).find((c) => c.startsWith('2'))!;
      const oResponses = (o.responses ?? {}) as Record<string, unknown>;
      assert.ok(oResponses[code], `${label}: we do not document status ${code} (we have ${Object.keys(oResponses).join(', ')})`);
      let aSchema = jsonSchemaOf(att, aResponses[code]);
      let oSchema = jsonSchemaOf(ours, oResponses[code]);
      if (!aSchema) return;
      if (isEnvelope(att, aSchema) && isEnvelope(ours, oSchema)) {
        aSchema = deref(att, propsOf(objectOf(att, aSchema))['data']);
        oSchema = deref(ours, propsOf(objectOf(ours, oSchema))['data']);
      } else if (!isEnvelope(att, aSchema) && isEnvelope(ours, oSchema) && !('items' in propsOf(objectOf(att, aSchema)))) {
        // Attune documents this response without the envelope its server adds.
        oSchema = deref(ours, propsOf(objectOf(ours, oSchema))['data']);
      }
      const missing: string[] = [];
      missingRequired(att, ours, aSchema, oSchema, '', missing);
      assert.deepEqual(missing, [], `${label}: response fields Attune requires that our schema lacks`);
    });
  }
});
