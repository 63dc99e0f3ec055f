/**
 * `{{ }}` templating.
 *
 * Two flavours share the same walking and rendering rules:
 *  - rule `action_params` (renderRuleParams / renderTemplate): the inside of `{{ }}` is a dotted
 *    PATH only (`event.payload.tags.0`); anything else (e.g. `x | default`) resolves to nothing;
 *  - workflow templates (renderWorkflowTemplate): the inside is a full expression (expression.ts).
 *
 * Rendering rules:
 *  - objects and arrays are walked recursively (keys are left alone); non-string scalars pass through;
 *  - a string that is exactly one template (surrounding whitespace ignored) becomes the raw value,
 *    keeping its JSON type; a missing value becomes null;
 *  - any other string containing templates is interpolated: strings as-is, numbers/booleans via
 *    toString, null/missing -> '', objects/arrays -> compact JSON.
 */
import { fault } from '../common/faults';
import { evaluateExpression, isPlainObject } from './expression';
import { stringifyExact } from '../common/exact-json';

export interface RuleTemplateContext {
  event: { id: number; trigger: string /* the trigger REF */; created: string; payload: unknown };
  pack: { config: Record<string, unknown> };
  system: { timestamp: string; rule: { id: number; ref: string } };
}

/** Resolves the text inside one `{{ }}`; `undefined` means "missing". May throw. */
export type TemplateResolver = (inner: string) => unknown;

const WHOLE_TEMPLATE = /^\{\{([\s\S]*?)\}\}$/;
const ANY_TEMPLATE = /\{\{([\s\S]*?)\}\}/g;

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/**
 * Walks a dotted path (`a.b.0.c`) through objects and arrays. Numeric segments index arrays;
 * on objects every segment is a key. Returns `undefined` when any step is missing or the path
 * is malformed (empty segment, a `|` filter, ...).
 */
export function resolvePath(context: unknown, path: string): unknown {
  if (typeof path !== 'string') return undefined;
  const trimmed = path.trim();
  if (trimmed === '' || trimmed.includes('|')) return undefined;
  let current: unknown = context;
  for (const segment of trimmed.split('.')) {
    if (segment === '' || segment !== segment.trim()) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      const i = Number(segment);
      if (i >= current.length) return undefined;
      current = current[i];
    } else if (isPlainObject(current)) {
      if (!hasOwn(current, segment)) return undefined;
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Text used for a value interpolated into a larger string. */
export function interpolationText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return stringifyExact(v);
}

/** If `s` is exactly one `{{ ... }}` (outer whitespace ignored), returns its inner text. */
export function wholeTemplateInner(s: string): string | null {
  const m = WHOLE_TEMPLATE.exec(s.trim());
  if (!m) return null;
  // `{{ a }} x {{ b }}` matches the regex lazily only if the inner part has no closing braces.
  if (m[1].includes('}}') || m[1].includes('{{')) return null;
  return m[1];
}

function renderString(s: string, resolve: TemplateResolver, onWholeError: () => unknown): unknown {
  if (!s.includes('{{')) return s;
  const inner = wholeTemplateInner(s);
  if (inner !== null) {
    let v: unknown;
    try {
      v = resolve(inner.trim());
    } catch {
      return onWholeError();
    }
    if (v === undefined) return null;
    // fault template-drops-types: a whole-string template is rendered as text, losing its value's JSON type
    return fault('template-drops-types') ? interpolationText(v) : v;
  }
  return s.replace(ANY_TEMPLATE, (_match, expr: string) => {
    try {
      const v = resolve(expr.trim());
      // fault template-missing-as-text: a missing value inside a string becomes the text "null"
      if (v === undefined && fault('template-missing-as-text')) return 'null';
      return interpolationText(v);
    } catch {
      return '';
    }
  });
}

/** Generic walker: renders every string in `value` with `resolve`. */
export function renderWith(value: unknown, resolve: TemplateResolver, onWholeError: () => unknown = () => null): unknown {
  if (typeof value === 'string') return renderString(value, resolve, onWholeError);
  if (Array.isArray(value)) return value.map((item) => renderWith(item, resolve, onWholeError));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderWith(v, resolve, onWholeError);
    return out;
  }
  return value;
}

/** Path-only templating (rule flavour) against an arbitrary context. */
export function renderTemplate(value: unknown, context: Record<string, unknown>): unknown {
  return renderWith(value, (inner) => resolvePath(context, inner));
}

/** Renders a rule's `action_params` into the enforcement/execution config. Always an object. */
export function renderRuleParams(actionParams: unknown, ctx: RuleTemplateContext): Record<string, unknown> {
  const context: Record<string, unknown> = {
    event: {
      id: ctx.event.id,
      trigger: ctx.event.trigger,
      created: ctx.event.created,
      payload: ctx.event.payload,
    },
    pack: { config: ctx.pack?.config ?? {} },
    system: {
      timestamp: ctx.system.timestamp,
      rule: { id: ctx.system.rule.id, ref: ctx.system.rule.ref },
    },
  };
  // fault template-wrong-path: a path nested below event.payload.<field> loses its last segment
  const path = (inner: string): string => {
    const parts = inner.split('.');
    return fault('template-wrong-path') && parts[0] === 'event' && parts[1] === 'payload' && parts.length > 3 ? parts.slice(0, -1).join('.') : inner;
  };
  const rendered = renderWith(actionParams, (inner) => resolvePath(context, path(inner)));
  return isPlainObject(rendered) ? rendered : {};
}

/**
 * Workflow flavour: the inside of `{{ }}` is a full expression evaluated with evaluateExpression.
 * An evaluation error in a whole-string template yields null; inside a mixed string it yields ''.
 */
export function renderWorkflowTemplate(value: unknown, context: Record<string, unknown>): unknown {
  return renderWith(value, (inner) => evaluateExpression(inner, context));
}
