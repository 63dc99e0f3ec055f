/**
 * Valid values from a request body's JSON schema (as the stack publishes it in its OpenAPI
 * document): the fuzzer's starting point before one part is broken. Only the schema keywords the
 * stack uses are understood (type, enum, properties, required, items, min/max, min/maxLength,
 * minItems, oneOf); anything else is treated as "any JSON".
 */
import fc from 'fast-check';
import type { Json, JsonSchema } from './values';

const PLAIN = 'abcdefghijklmnopqrstuvwxyz0123456789_'.split('');

function typesOf(schema: JsonSchema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t.map(String);
  if (typeof t === 'string') return [t];
  return [];
}

export function validFromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<Json> {
  if (!schema || typeof schema !== 'object') return simpleJson();
  if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as JsonSchema[]).map((s) => validFromSchema(s, depth)));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as Json[]));
  const types = typesOf(schema);
  if (types.length === 0) return simpleJson();
  // prefer a concrete type; null only now and then
  const concrete = types.filter((t) => t !== 'null');
  const pick = concrete.length ? concrete : types;
  const arbs = pick.map((t) => ofType(t, schema, depth));
  if (types.includes('null') && concrete.length) arbs.push(fc.constant(null));
  return arbs.length === 1 ? arbs[0] : fc.oneof(...arbs);
}

function ofType(type: string, schema: JsonSchema, depth: number): fc.Arbitrary<Json> {
  switch (type) {
    case 'string': {
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 24, 24));
      if (schema.format === 'date-time') return fc.date({ min: new Date('2030-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({ unit: fc.constantFrom(...PLAIN), minLength: Math.max(minLength, 1), maxLength: Math.max(maxLength, 1) });
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min, 1000);
      return fc.integer({ min, max: Math.min(max, min + 100_000) });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      if (depth > 3) return fc.constant([]);
      return fc.array(validFromSchema(items, depth + 1), { minLength, maxLength: Math.max(minLength, 3) });
    }
    case 'object': {
      const props = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      if (depth > 3) return fc.constant({});
      const model: Record<string, fc.Arbitrary<Json>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = validFromSchema(s, depth + 1);
      const requiredKeys = Object.keys(model).filter((k) => required.has(k));
      return fc.record(model, { requiredKeys }) as fc.Arbitrary<Json>;
    }
    default:
      return simpleJson();
  }
}

function simpleJson(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.dictionary(fc.string({ unit: fc.constantFrom(...PLAIN), minLength: 1, maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
    fc.string({ maxLength: 10 }),
    fc.integer({ min: 0, max: 1000 }),
  ) as fc.Arbitrary<Json>;
}

/** The sub-schema at a path of keys/indices, when the schema describes it. */
export function schemaAt(schema: JsonSchema | undefined, path: Array<string | number>): JsonSchema | undefined {
  let s = schema;
  for (const step of path) {
    if (!s) return undefined;
    if (typeof step === 'number') s = s.items as JsonSchema | undefined;
    else s = (s.properties as Record<string, JsonSchema> | undefined)?.[step];
  }
  return s;
}
