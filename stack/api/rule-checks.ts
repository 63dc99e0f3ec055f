/**
 * Pure checks of a rule's `conditions`, `trigger_params` and `action_params` (no database).
 * Each returns null when the value is acceptable, else a message for a 422.
 */
import { fault } from '../common/faults';
import { stripTemplateBraces } from '../executor/conditions';
import { parseExpression } from '../executor/expression';
import {
  CRON_TIMER_REF, DATETIME_TIMER_REF, INTERVAL_TIMER_REF, intervalMs, parseIsoTimestamp, validateCronExpression, validateTimezone,
} from '../sensor/schedules';
import { checkParameters, describeProblems } from './param-schema';
import { stringifyExact } from '../common/exact-json';

const OPERATORS = ['equals', 'not_equals', 'contains'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Accepts: empty (null, {}, []), an array of {field, operator, value}, or {"expression": "<expr>"}. */
export function conditionsProblem(conditions: unknown): string | null {
  if (conditions === null || conditions === undefined) return null;
  if (Array.isArray(conditions)) {
    for (const [i, c] of conditions.entries()) {
      if (!isObject(c)) return `conditions[${i}] must be an object {field, operator, value}`;
      if (typeof c.field !== 'string' || c.field === '') return `conditions[${i}].field must be a non-empty string`;
      if (typeof c.operator !== 'string' || !OPERATORS.includes(c.operator)) {
        return `conditions[${i}].operator ${stringifyExact(c.operator ?? null)} is not one of ${OPERATORS.join(', ')}`;
      }
    }
    return null;
  }
  if (!isObject(conditions)) return 'conditions must be an array of {field, operator, value} or an {"expression": "..."} object';
  if (Object.keys(conditions).length === 0) return null;
  if (!Object.prototype.hasOwnProperty.call(conditions, 'expression')) {
    return 'conditions must be an array of {field, operator, value} or an {"expression": "..."} object';
  }
  if (typeof conditions.expression !== 'string' || conditions.expression.trim() === '') return 'conditions.expression must be a non-empty string';
  // fault rule-bad-expression-accepted: the expression is stored without being parsed
  if (fault('rule-bad-expression-accepted')) return null;
  try {
    parseExpression(stripTemplateBraces(conditions.expression));
  } catch (err) {
    return `conditions.expression '${conditions.expression}' is not a valid expression: ${(err as Error).message}`;
  }
  return null;
}

/**
 * trigger_params of a rule. Timer triggers use the timer sensor's own rules (6-field cron, interval
 * unit/interval, parseable fire_at — a past fire_at is accepted, it simply never fires); other
 * triggers are checked against their param_schema (declared types only).
 */
export function triggerParamsProblem(triggerRef: string, paramSchema: unknown, params: unknown): string | null {
  const p = params ?? {};
  if (!isObject(p)) return `Invalid trigger_params for trigger '${triggerRef}': must be an object`;
  try {
    switch (triggerRef) {
      case INTERVAL_TIMER_REF:
        intervalMs(p);
        return null;
      case CRON_TIMER_REF:
        if (typeof p.expression !== 'string') throw new Error('Cron timer requires "expression" (6 fields: sec min hour day-of-month month day-of-week)');
        if (fault('cron-five-fields-accepted') && p.expression.trim().split(/\s+/).length === 5) return null;
        validateCronExpression(p.expression);
        validateTimezone(p.timezone);
        return null;
      case DATETIME_TIMER_REF: {
        const raw = p.fire_at;
        if (typeof raw !== 'string' || raw.trim() === '') throw new Error('Date-time timer requires "fire_at" (an ISO 8601 timestamp)');
        if (!parseIsoTimestamp(raw)) throw new Error(`Invalid fire_at ${stringifyExact(raw)}: expected an ISO 8601 timestamp`);
        validateTimezone(p.timezone);
        return null;
      }
      default:
        break;
    }
  } catch (err) {
    return `Invalid trigger_params for trigger '${triggerRef}': ${(err as Error).message}`;
  }
  const problems = checkParameters(paramSchema, p, { checkRequired: false, allowTemplates: false });
  return problems.length ? describeProblems(`trigger '${triggerRef}'`, problems) : null;
}

/** action_params of a rule: declared types only; `{{ … }}` templates pass (they are resolved per event). */
export function actionParamsProblem(actionRef: string, paramSchema: unknown, params: unknown): string | null {
  const p = params ?? {};
  if (!isObject(p)) return `Invalid parameters for action '${actionRef}': action_params must be an object`;
  const problems = checkParameters(paramSchema, p, { checkRequired: false, allowTemplates: true });
  return problems.length ? describeProblems(`action '${actionRef}'`, problems) : null;
}
