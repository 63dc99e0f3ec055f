/**
 * Rule condition evaluation (does an event match a rule's `conditions`?).
 *
 *  - null / undefined / {} / []       -> match
 *  - event without payload             -> match (conditions are not evaluated)
 *  - array of {field, operator, value} -> every item must hold; `field` is a dot path relative to the
 *    payload; operators equals / not_equals / contains (string contains only); an unknown operator,
 *    a missing field or a malformed item makes the whole rule not match
 *  - {expression: "..."}               -> expression (optionally wrapped in {{ }}) evaluated against
 *    `{ event: {id, trigger, trigger_ref, payload, created} }`; truthy -> match; error -> no match
 *  - anything else                     -> no match
 */
import { fault } from '../common/faults';
import { deepEqual, evaluateExpression, isPlainObject, isTruthy } from './expression';
import { resolvePath } from './templating';

export interface ConditionEvent {
  id: number;
  trigger: string | null;
  trigger_ref: string;
  payload: unknown;
  created: string;
}

export interface FieldCondition {
  field: string;
  operator: string;
  value: unknown;
}

export function isEmptyConditions(conditions: unknown): boolean {
  if (conditions === null || conditions === undefined) return true;
  if (Array.isArray(conditions)) return conditions.length === 0;
  return isPlainObject(conditions) && Object.keys(conditions).length === 0;
}

/** Removes one optional surrounding `{{ }}` pair. */
export function stripTemplateBraces(expression: string): string {
  const t = expression.trim();
  if (t.startsWith('{{') && t.endsWith('}}') && t.length >= 4) return t.slice(2, -2).trim();
  return t;
}

export function matchesFieldCondition(condition: unknown, payload: unknown): boolean {
  if (!isPlainObject(condition)) return false;
  const { field, operator, value } = condition;
  if (typeof field !== 'string' || typeof operator !== 'string') return false;
  const actual = resolvePath(payload, field);
  if (actual === undefined) return false; // missing field: the rule is skipped
  switch (operator) {
    case 'equals':
      return deepEqual(actual, value);
    case 'not_equals':
      return !deepEqual(actual, value);
    case 'contains':
      return typeof actual === 'string' && typeof value === 'string' && actual.includes(value);
    default:
      return false;
  }
}

export function matchesExpression(expression: unknown, event: ConditionEvent): boolean {
  if (typeof expression !== 'string') return false;
  const context = {
    event: {
      id: event.id,
      trigger: event.trigger,
      trigger_ref: event.trigger_ref,
      payload: event.payload,
      created: event.created,
    },
  };
  try {
    return isTruthy(evaluateExpression(stripTemplateBraces(expression), context));
  } catch {
    return false;
  }
}

export function matchesConditions(
  conditions: unknown,
  event: { id: number; trigger: string | null; trigger_ref: string; payload: unknown; created: string },
): boolean {
  if (isEmptyConditions(conditions)) return true;
  // fault rule-conditions-ignored: every rule matches whatever its conditions say
  if (fault('rule-conditions-ignored')) return true;
  if (event.payload === null || event.payload === undefined) return true;
  if (Array.isArray(conditions)) return conditions.every((c) => matchesFieldCondition(c, event.payload));
  if (isPlainObject(conditions) && Object.prototype.hasOwnProperty.call(conditions, 'expression')) {
    return matchesExpression(conditions.expression, event);
  }
  return false;
}
