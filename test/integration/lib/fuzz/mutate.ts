/**
 * One change to a valid body: a value at some path (top-level field or deeper) is replaced by a
 * wrong-typed, edge, deep or huge value, a key is removed, or unknown keys are added.
 */
import fc from 'fast-check';
import { schemaAt } from './schema-arb';
import { deepValue, edgeValueFor, hugeValue, oddJson, oddString, wrongTypeFor, type Json, type JsonSchema } from './values';

export type Path = Array<string | number>;

export interface Mutation {
  kind: 'wrong-type' | 'edge' | 'null' | 'deep' | 'huge' | 'remove' | 'extra-keys' | 'odd-json';
  path: Path;
  value?: Json;
  extra?: Record<string, Json>;
}

/** Every path into `v` (objects and arrays, up to `maxDepth` steps), the root excluded. */
export function pathsOf(v: Json, maxDepth = 5, prefix: Path = []): Path[] {
  if (prefix.length >= maxDepth || v === null || typeof v !== 'object') return [];
  const out: Path[] = [];
  const entries: Array<[string | number, Json]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, child] of entries) {
    const p = [...prefix, k];
    out.push(p, ...pathsOf(child, maxDepth, p));
  }
  return out;
}

/** Paths of objects inside `v` (root included), where unknown keys can be added. */
function objectPaths(v: Json, prefix: Path = [], maxDepth = 5): Path[] {
  if (v === null || typeof v !== 'object' || prefix.length > maxDepth) return [];
  const out: Path[] = Array.isArray(v) ? [] : [prefix];
  const entries: Array<[string | number, Json]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, child] of entries) out.push(...objectPaths(child, [...prefix, k], maxDepth));
  return out;
}

const EXTRA_KEYS = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'created', 'updated', 'owner', 'installed_by', 'is_admin', 'password_hash', '', ' ', '\u0000', 'data'),
  oddString(),
);

/**
 * A mutation for `body` (whose schema is `schema`). `allowHuge` rations ~1 MB values, which cost
 * the server (and the run) far more than the rest.
 */
export function mutationFor(body: Json, schema: JsonSchema | undefined, allowHuge: boolean): fc.Arbitrary<Mutation> {
  const paths = pathsOf(body);
  const objects = objectPaths(body);
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<Mutation> }> = [];
  if (objects.length) {
    options.push({
      weight: 2,
      arbitrary: fc.record({ path: fc.constantFrom(...objects), extra: fc.dictionary(EXTRA_KEYS, oddJson(2), { minKeys: 1, maxKeys: 4 }) }).map(
        ({ path, extra }) => ({ kind: 'extra-keys' as const, path, extra: extra as Record<string, Json> }),
      ),
    });
  }
  if (paths.length) {
    const at = fc.constantFrom(...paths);
    options.push(
      { weight: 5, arbitrary: at.chain((path) => wrongTypeFor(schemaAt(schema, path)).map((value) => ({ kind: 'wrong-type' as const, path, value }))) },
      { weight: 5, arbitrary: at.chain((path) => edgeValueFor(schemaAt(schema, path)).map((value) => ({ kind: 'edge' as const, path, value }))) },
      { weight: 2, arbitrary: at.map((path) => ({ kind: 'null' as const, path, value: null })) },
      { weight: 2, arbitrary: at.map((path) => ({ kind: 'remove' as const, path })) },
      { weight: 2, arbitrary: fc.tuple(at, oddJson(3)).map(([path, value]) => ({ kind: 'odd-json' as const, path, value })) },
      { weight: 1, arbitrary: fc.tuple(at, deepValue()).map(([path, value]) => ({ kind: 'deep' as const, path, value })) },
    );
    if (allowHuge) options.push({ weight: 1, arbitrary: fc.tuple(at, hugeValue()).map(([path, value]) => ({ kind: 'huge' as const, path, value })) });
  }
  if (options.length === 0) return fc.constant({ kind: 'extra-keys', path: [], extra: { unexpected: 1 } });
  return fc.oneof(...options);
}

function clone(v: Json): Json {
  return v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as Json);
}

/** `body` with the mutation applied (the input is not modified). */
export function applyMutation(body: Json, m: Mutation): Json {
  const out = clone(body);
  if (m.kind === 'extra-keys') {
    const target = m.path.reduce<Json>((v, k) => (v as Record<string, Json>)[k as string], out);
    // defineProperty: a plain assignment of "__proto__" would set the prototype instead of a key
    for (const [k, v] of Object.entries(m.extra ?? {})) Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }
  const parentPath = m.path.slice(0, -1);
  const last = m.path[m.path.length - 1];
  const parent = parentPath.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k as string], out) as Record<string | number, Json> | Json[];
  if (m.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last as string];
  } else {
    (parent as Record<string | number, Json>)[last] = m.value as Json;
  }
  return out;
}

/** A short description of a mutation for the counterexample report (huge values abbreviated). */
export function describeMutation(m: Mutation): string {
  const where = m.path.length ? m.path.map(String).join('.') : '(root)';
  const shown = m.value === undefined ? '' : ` = ${abbreviate(JSON.stringify(m.value) ?? 'undefined')}`;
  const extra = m.extra ? ` + ${abbreviate(JSON.stringify(m.extra))}` : '';
  return `${m.kind} at ${where}${shown}${extra}`;
}

export function abbreviate(s: string, max = 200): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} chars)`;
}
