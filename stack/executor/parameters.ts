/**
 * The executor's check of an execution's parameters against its action's schema, before the execution goes any
 * further (Attune's scheduler fills defaults "before dispatch"; the check belongs to the same owner of the state):
 *  - missing or null parameters that declare a `default` get it, and the execution's `config` is updated, so the
 *    worker delivers, and the API shows, what the action really got;
 *  - then required parameters, declared types and `enum`s (plus minimum/maximum) are checked; a problem ends the
 *    execution `failed` with `result.error` naming every offending parameter. Extra parameters pass untouched.
 * The API accepts such a request (201): validating here is what Attune users see (docs/decisions.md).
 */
import { fault } from '../common/faults';
import { applyDefaults, checkParameters, describeProblems } from '../common/param-schema';

export type ParameterVerdict =
  | { ok: true; config: Record<string, unknown>; filled: string[] }
  | { ok: false; error: string };

export function resolveExecutionParameters(actionRef: string, schema: unknown, config: unknown): ParameterVerdict {
  // fault params-defaults-not-applied: the schema's defaults never reach the action
  const { params, filled } = fault('params-defaults-not-applied')
    ? { params: (typeof config === 'object' && config !== null && !Array.isArray(config) ? { ...(config as Record<string, unknown>) } : {}), filled: [] }
    : applyDefaults(schema, config);
  const problems = checkParameters(schema, params, {
    checkRequired: !fault('params-required-not-checked'), // fault: a missing required parameter is let through
    checkTypes: !fault('params-type-not-checked'), // fault: a value of the wrong type is let through
    checkEnums: !fault('params-enum-not-checked'), // fault: a value outside the enum is let through
  });
  if (problems.length) return { ok: false, error: describeProblems(`action '${actionRef}'`, problems) };
  return { ok: true, config: params, filled };
}
