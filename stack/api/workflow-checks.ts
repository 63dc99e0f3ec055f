/**
 * Checks of a workflow definition before it is stored (API create/update, pack loading).
 *
 * A definition is refused when the engine could never run it as written:
 *  a. it cannot be read (executor/workflow/definition.ts: unknown `do` target, duplicate task
 *     names, bad retry/join/timeout/concurrency shapes, …);
 *  b. a task has no action, or its action does not exist / is not visible to the caller
 *     (API only: a pack's actions may reference each other, and core, in any order);
 *  c. a `{{ … }}` template (input, with_items, when, publish, output_map) does not parse;
 *  d. a `join` on a task without inbound transitions, or larger than their number;
 *  e. no entry task, or a cycle that no transition leaves;
 *  f. a task that no entry task can reach.
 * Every check answers null (acceptable) or one message naming the task and the problem.
 */
import { fault } from '../common/faults';
import { parseExpression } from '../executor/expression';
import {
  DefinitionError, readWorkflow, templatePlaces, type Json, type WorkflowSpec,
} from '../executor/workflow/definition';
import { stringifyExact } from '../common/exact-json';

/** Answers whether the caller may use the action `ref` in a task (it exists and is visible). */
export type ActionVisible = (ref: string) => Promise<boolean>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// a. reading
// ---------------------------------------------------------------------------------------------

/**
 * A copy of the definition whose `do` lists name only existing tasks — used solely under the
 * fault `workflow-accepts-unknown-task`, so the check passes while the stored definition keeps
 * its unknown targets.
 */
function withoutUnknownTargets(definition: unknown): unknown {
  if (!isObject(definition) || !Array.isArray(definition.tasks)) return definition;
  const copy = JSON.parse(stringifyExact(definition)) as { tasks: unknown[] };
  const names = new Set(copy.tasks.filter(isObject).map((t) => t.name));
  const keep = (v: unknown) => {
    if (typeof v === 'string') return names.has(v) ? v : [];
    return Array.isArray(v) ? v.filter((x) => names.has(x)) : v;
  };
  for (const t of copy.tasks) {
    if (!isObject(t)) continue;
    if (Array.isArray(t.next)) for (const tr of t.next) if (isObject(tr) && tr.do !== undefined) tr.do = keep(tr.do);
    for (const key of ['on_success', 'on_failure', 'on_timeout', 'on_complete']) if (t[key] !== undefined) t[key] = keep(t[key]);
  }
  return copy;
}

/** readWorkflow, with its DefinitionError turned into a message. */
export function readDefinition(definition: unknown): { spec: WorkflowSpec } | { problem: string } {
  // fault workflow-accepts-unknown-task: `do` targets naming no task are not noticed
  const input = fault('workflow-accepts-unknown-task') ? withoutUnknownTargets(definition) : definition;
  try {
    return { spec: readWorkflow(input) };
  } catch (err) {
    if (err instanceof DefinitionError) return { problem: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// b. actions
// ---------------------------------------------------------------------------------------------

/** Every task names an action the caller may use (each distinct ref looked up once). */
export async function actionsProblem(spec: WorkflowSpec, actionVisible: ActionVisible): Promise<string | null> {
  const known = new Map<string, boolean>();
  for (const t of spec.tasks) {
    if (t.action === null) return `task '${t.name}': action is required`;
    // fault workflow-accepts-missing-action: a task's action is never looked up
    if (fault('workflow-accepts-missing-action')) continue;
    let ok = known.get(t.action);
    if (ok === undefined) {
      ok = await actionVisible(t.action);
      known.set(t.action, ok);
    }
    if (!ok) return `task '${t.name}': action '${t.action}' not found`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// c. templates
// ---------------------------------------------------------------------------------------------

/** The first template of `text` that does not parse, as a message; null when every one parses. */
export function templateTextProblem(text: string): string | null {
  let pos = 0;
  for (;;) {
    const open = text.indexOf('{{', pos);
    if (open < 0) return null;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return `unterminated template '${text.slice(open)}' (no closing '}}')`;
    const template = text.slice(open, close + 2);
    try {
      parseExpression(text.slice(open + 2, close).trim());
    } catch (err) {
      return `invalid expression '${template}': ${(err as Error).message}`;
    }
    pos = close + 2;
  }
}

/** Walks a value (objects, arrays, strings) and reports its first unparsable template with its path. */
function valueProblem(value: Json, where: string): string | null {
  if (typeof value === 'string') {
    const p = templateTextProblem(value);
    return p ? `${where}: ${p}` : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = valueProblem(value[i], `${where}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = valueProblem(v as Json, `${where}.${k}`);
      if (p) return p;
    }
  }
  return null;
}

/**
 * Every template-bearing place parses. A `when` written without braces is itself an expression
 * (the engine evaluates it as one), so it must parse too.
 */
export function templatesProblem(spec: WorkflowSpec): string | null {
  for (const place of templatePlaces(spec)) {
    const prefix = place.task === null ? '' : `task '${place.task}': `;
    const isWhen = /^next\[\d+\]\.when$/.test(place.where);
    if (isWhen && typeof place.value === 'string' && !place.value.includes('{{')) {
      try {
        parseExpression(place.value.trim());
      } catch (err) {
        return `${prefix}${place.where}: invalid expression '${place.value}': ${(err as Error).message}`;
      }
      continue;
    }
    const p = valueProblem(place.value, place.where);
    if (p) return `${prefix}${p}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// d. joins
// ---------------------------------------------------------------------------------------------

const transitions = (n: number) => `${n} inbound transition${n === 1 ? '' : 's'}`;

export function joinsProblem(spec: WorkflowSpec): string | null {
  // fault workflow-accepts-bad-join: joins are never compared with the inbound transitions
  if (fault('workflow-accepts-bad-join')) return null;
  for (const t of spec.tasks) {
    if (t.join === undefined) continue;
    const inbound = (spec.inbound.get(t.name) ?? []).length;
    if (inbound === 0) return `task '${t.name}': join ${t.join} on a task with no inbound transitions`;
    if (typeof t.join === 'number' && t.join > inbound) return `task '${t.name}': join ${t.join} exceeds its ${transitions(inbound)}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// e, f. graph shape
// ---------------------------------------------------------------------------------------------

/** task → distinct `do` targets, in the order written. */
function edgesOf(spec: WorkflowSpec): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const t of spec.tasks) {
    const out: string[] = [];
    for (const tr of t.next) for (const target of tr.do) if (!out.includes(target)) out.push(target);
    edges.set(t.name, out);
  }
  return edges;
}

/** Strongly connected components (Tarjan), each listed in task order. */
export function stronglyConnected(names: string[], edges: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const members = new Set<string>();
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.add(w);
      } while (w !== v);
      components.push(names.filter((n) => members.has(n)));
    }
  };
  for (const n of names) if (!index.has(n)) visit(n);
  return components;
}

/** A shortest cycle through `start` inside `members`, as the list of names start → … → start. */
function cycleThrough(start: string, members: Set<string>, edges: Map<string, string[]>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set<string>();
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return [...path, start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** e: a cycle no transition leaves, or no entry task at all. */
export function cyclesProblem(spec: WorkflowSpec): string | null {
  const names = spec.tasks.map((t) => t.name);
  const edges = edgesOf(spec);
  for (const component of stronglyConnected(names, edges)) {
    const members = new Set(component);
    const isCycle = component.length > 1 || (edges.get(component[0]) ?? []).includes(component[0]);
    if (!isCycle) continue;
    const leaves = component.some((v) => (edges.get(v) ?? []).some((w) => !members.has(w)));
    if (leaves) continue;
    const cycle = cycleThrough(component[0], members, edges);
    return `tasks ${cycle.map((n) => `'${n}'`).join(' → ')} form a cycle with no way out`;
  }
  if (spec.entryTasks.length === 0) return 'the workflow has no entry task: every task is the target of a transition';
  return null;
}

/** f: every task is reachable from an entry task. */
export function reachabilityProblem(spec: WorkflowSpec): string | null {
  const edges = edgesOf(spec);
  const reached = new Set<string>(spec.entryTasks);
  const queue = [...spec.entryTasks];
  while (queue.length) {
    for (const w of edges.get(queue.shift()!) ?? []) {
      if (!reached.has(w)) {
        reached.add(w);
        queue.push(w);
      }
    }
  }
  const lost = spec.tasks.find((t) => !reached.has(t.name));
  return lost ? `task '${lost.name}' can never run: no transition leads to it from an entry task` : null;
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** Checks a, c, d, e, f (no database): what the pack loader applies. */
export function workflowStructureProblem(definition: unknown): string | null {
  const read = readDefinition(definition);
  if ('problem' in read) return read.problem;
  return structureOf(read.spec);
}

function structureOf(spec: WorkflowSpec): string | null {
  return templatesProblem(spec) ?? joinsProblem(spec) ?? cyclesProblem(spec) ?? reachabilityProblem(spec);
}

/** Every check (a–f), in the order the problems are listed in docs/workflows.md: what the API applies. */
export async function workflowDefinitionProblem(definition: unknown, actionVisible: ActionVisible): Promise<string | null> {
  const read = readDefinition(definition);
  if ('problem' in read) return read.problem;
  return (await actionsProblem(read.spec, actionVisible)) ?? structureOf(read.spec);
}
