/**
 * The template context of a workflow run (pure): what `{{ }}` in task input, `with_items`,
 * `when`, `publish` and `output_map` can see, and how a transition's `when` is decided.
 */
import { evaluateExpression, FUNCTIONS_KEY, isPlainObject } from '../expression';
import { renderWorkflowTemplate, wholeTemplateInner } from '../templating';

export type TaskOutcome = 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface TaskView {
  status: TaskOutcome | 'running';
  /** The task's final (last finished) child result, with parsed `data` keys also at the top level. */
  result: unknown;
  /** with_items tasks: every item's result in item order. */
  results?: unknown[];
}

export interface RunFacts {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  tasks: Record<string, TaskView>;
  system: Record<string, unknown>;
}

/**
 * An execution result as workflow templates see it: the row's `result`, with the keys of its
 * parsed `data` object added at the top level where they do not clash (so `result().field`
 * and `result().data.field` both work).
 */
export function taskResultView(result: unknown): unknown {
  if (!isPlainObject(result)) return result ?? null;
  const data = result.data;
  if (!isPlainObject(data)) return result;
  const merged: Record<string, unknown> = { ...result };
  for (const [k, v] of Object.entries(data)) if (!(k in merged)) merged[k] = v;
  return merged;
}

/** Fills missing or null parameters from the schema's defaults (flat `{name: {default}}` or JSON-schema `properties`). */
export function withDefaults(schema: unknown, params: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(params) ? { ...params } : {};
  if (!isPlainObject(schema)) return out;
  const props = isPlainObject(schema.properties) ? schema.properties : schema;
  for (const [name, spec] of Object.entries(props)) {
    if (!isPlainObject(spec) || !('default' in spec)) continue;
    if (out[name] === undefined || out[name] === null) out[name] = spec.default;
  }
  return out;
}

export interface Focus {
  /** The task whose transitions are being evaluated (for result()/succeeded()/…). */
  outcome?: TaskOutcome;
  result?: unknown;
  item?: unknown;
  index?: number;
}

export function templateContext(facts: RunFacts, focus: Focus = {}): Record<string, unknown> {
  const tasks: Record<string, unknown> = {};
  for (const [name, view] of Object.entries(facts.tasks)) tasks[name] = { ...view };
  const ctx: Record<string, unknown> = {
    // bare names fall back to the workflow variables; the namespaces below win over them
    ...facts.variables,
    parameters: facts.parameters,
    workflow: facts.variables,
    vars: facts.variables,
    variables: facts.variables,
    task: tasks,
    tasks,
    config: {},
    keystore: {},
    system: facts.system,
    [FUNCTIONS_KEY]: {
      result: () => (focus.result === undefined ? null : focus.result),
      succeeded: () => focus.outcome === 'completed',
      failed: () => focus.outcome === 'failed',
      timed_out: () => focus.outcome === 'timeout',
    },
  };
  if ('item' in focus) ctx.item = focus.item;
  if ('index' in focus) ctx.index = focus.index;
  return ctx;
}

export function render(value: unknown, facts: RunFacts, focus: Focus = {}): unknown {
  return renderWorkflowTemplate(value, templateContext(facts, focus));
}

/**
 * Does a transition fire? No `when`: always. Otherwise the expression inside `{{ }}` (braces
 * optional) is evaluated; `succeeded()`, `failed()`, `timed_out()` answer for the task that
 * ended. An expression that cannot be evaluated fires when the task succeeded.
 */
export function transitionFires(when: string | undefined, facts: RunFacts, focus: Focus): boolean {
  if (when === undefined || when.trim() === '') return true;
  const inner = wholeTemplateInner(when) ?? when;
  try {
    return truthy(evaluateExpression(inner.trim(), templateContext(facts, focus)));
  } catch {
    return focus.outcome === 'completed';
  }
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** with_items: the rendered list (a non-list value is one item; null/missing is none). */
export function renderItems(withItems: unknown, facts: RunFacts): unknown[] {
  const v = render(withItems, facts);
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}
