/**
 * A workflow definition as the engine reads it (pure; no I/O).
 *
 * The stored `workflow_definition.definition` is the JSON the API or the pack loader accepted
 * (legacy `on_success`/`on_failure`/… already folded into `next` by the pack loader). This module
 * reads it leniently into typed tasks and derives the graph facts both the API's validation and
 * the executor need: inbound transitions, entry tasks, join requirements.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface Transition {
  /** Template text as written (`{{ succeeded() }}`), or undefined: always fires. */
  when?: string;
  /** Published variables in order: [name, value template]. */
  publish: Array<[string, Json]>;
  /** Target task names. */
  do: string[];
}

export type Backoff = 'constant' | 'linear' | 'exponential';

export interface RetrySpec {
  count: number;
  delay: number;
  backoff: Backoff;
  maxDelay: number | null;
}

export interface TaskSpec {
  name: string;
  action: string | null;
  input: JsonObject | null;
  next: Transition[];
  withItems: Json | undefined;
  concurrency: number;
  /** undefined: no join (first firing predecessor starts it); 'all': every inbound predecessor. */
  join: number | 'all' | undefined;
  retry: RetrySpec | null;
  timeout: number | null;
}

export interface WorkflowSpec {
  tasks: TaskSpec[];
  byName: Map<string, TaskSpec>;
  vars: JsonObject;
  outputMap: JsonObject | null;
  cancellationPolicy: 'allow_finish' | 'cancel_running';
  /** task name → names of the tasks that have a transition into it (distinct, in task order). */
  inbound: Map<string, string[]>;
  /** Tasks no transition leads to: they start with the workflow. */
  entryTasks: string[];
}

export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveNumber(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function readPublish(raw: unknown, where: string): Array<[string, Json]> {
  if (raw === undefined || raw === null) return [];
  const out: Array<[string, Json]> = [];
  if (isObject(raw)) {
    for (const [k, v] of Object.entries(raw)) out.push([k, v]);
    return out;
  }
  if (!Array.isArray(raw)) throw new DefinitionError(`${where}.publish must be a list of {name: value}`);
  raw.forEach((entry, i) => {
    if (typeof entry === 'string') {
      // `publish: [x]` publishes nothing useful; accept `name=value`-less names as null
      out.push([entry, null]);
      return;
    }
    if (!isObject(entry)) throw new DefinitionError(`${where}.publish[${i}] must be a mapping`);
    for (const [k, v] of Object.entries(entry)) out.push([k, v]);
  });
  return out;
}

function readTargets(raw: unknown, where: string): string[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw new DefinitionError(`${where}.do must be a task name or a list of task names`);
  return list as string[];
}

const LEGACY: Array<[string, string | undefined]> = [
  ['on_success', '{{ succeeded() }}'],
  ['on_failure', '{{ failed() }}'],
  ['on_timeout', '{{ timed_out() }}'],
  ['on_complete', undefined],
];

function readTransitions(t: JsonObject, where: string): Transition[] {
  const out: Transition[] = [];
  if (Array.isArray(t.next)) {
    t.next.forEach((raw, j) => {
      const at = `${where}: next[${j}]`;
      if (!isObject(raw)) throw new DefinitionError(`${at} must be a mapping`);
      const when = raw.when === undefined || raw.when === null ? undefined : String(raw.when);
      out.push({ when, publish: readPublish(raw.publish, at), do: readTargets(raw.do, at) });
    });
  } else if (t.next !== undefined && t.next !== null) {
    throw new DefinitionError(`${where}: next must be a list of transitions`);
  }
  for (const [key, when] of LEGACY) {
    if (t[key] === undefined || t[key] === null) continue;
    const publish = key === 'on_success' ? readPublish(t.publish, where) : [];
    out.push({ when, publish, do: readTargets(t[key], `${where}: ${key}`) });
  }
  return out;
}

function readRetry(raw: unknown, where: string): RetrySpec | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new DefinitionError(`${where}: retry must be a mapping {count, delay, backoff}`);
  const count = positiveNumber(raw.count, NaN);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new DefinitionError(`${where}: retry.count must be an integer from 1 to 100`);
  const backoff = raw.backoff === undefined || raw.backoff === null ? 'constant' : String(raw.backoff);
  if (backoff !== 'constant' && backoff !== 'linear' && backoff !== 'exponential') {
    throw new DefinitionError(`${where}: retry.backoff must be constant, linear or exponential (got '${backoff}')`);
  }
  const maxDelay = raw.max_delay === undefined || raw.max_delay === null ? null : positiveNumber(raw.max_delay, NaN);
  if (maxDelay !== null && !Number.isFinite(maxDelay)) throw new DefinitionError(`${where}: retry.max_delay must be a number of seconds`);
  const delay = positiveNumber(raw.delay ?? 0, NaN);
  if (!Number.isFinite(delay)) throw new DefinitionError(`${where}: retry.delay must be a number of seconds`);
  return { count, delay, backoff, maxDelay };
}

function readJoin(raw: unknown, where: string): number | 'all' | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'all') return 'all';
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new DefinitionError(`${where}: join must be a positive integer or 'all'`);
  return n;
}

function readTask(raw: unknown, i: number): TaskSpec {
  if (!isObject(raw)) throw new DefinitionError(`tasks[${i}] must be a mapping`);
  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new DefinitionError(`tasks[${i}].name is required`);
  const where = `task '${raw.name}'`;
  const action = typeof raw.action === 'string' && raw.action.trim() !== '' ? raw.action.trim() : null;
  if (raw.input !== undefined && raw.input !== null && !isObject(raw.input)) throw new DefinitionError(`${where}: input must be a mapping`);
  const concurrency = raw.concurrency === undefined || raw.concurrency === null ? 1 : positiveNumber(raw.concurrency, NaN);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new DefinitionError(`${where}: concurrency must be a positive integer`);
  const timeout = raw.timeout === undefined || raw.timeout === null ? null : positiveNumber(raw.timeout, NaN);
  if (timeout !== null && (!Number.isInteger(timeout) || timeout < 1)) throw new DefinitionError(`${where}: timeout must be a whole number of seconds (>= 1)`);
  return {
    name: raw.name,
    action,
    input: isObject(raw.input) ? raw.input : null,
    next: readTransitions(raw, where),
    withItems: raw.with_items === null ? undefined : raw.with_items,
    concurrency,
    join: readJoin(raw.join, where),
    retry: readRetry(raw.retry, where),
    timeout,
  };
}

/**
 * Reads a stored definition. Throws DefinitionError for what cannot be read (not for semantic
 * problems such as unknown actions: see the API's workflow checks).
 */
export function readWorkflow(definition: unknown): WorkflowSpec {
  if (!isObject(definition)) throw new DefinitionError('the definition must be a JSON object');
  if (!Array.isArray(definition.tasks) || definition.tasks.length === 0) throw new DefinitionError("'tasks' must be a non-empty list");
  const tasks = definition.tasks.map(readTask);
  const byName = new Map<string, TaskSpec>();
  for (const t of tasks) {
    if (byName.has(t.name)) throw new DefinitionError(`task name '${t.name}' is used twice`);
    byName.set(t.name, t);
  }
  const inbound = new Map<string, string[]>(tasks.map((t) => [t.name, []]));
  for (const t of tasks) {
    t.next.forEach((tr, j) => {
      for (const target of tr.do) {
        const list = inbound.get(target);
        if (!list) throw new DefinitionError(`task '${t.name}': next[${j}].do names unknown task '${target}'`);
        if (!list.includes(t.name)) list.push(t.name);
      }
    });
  }
  let vars: JsonObject = {};
  if (Array.isArray(definition.vars)) {
    for (const entry of definition.vars) if (isObject(entry)) vars = { ...vars, ...entry };
  } else if (isObject(definition.vars)) {
    vars = definition.vars;
  } else if (definition.vars !== undefined && definition.vars !== null) {
    throw new DefinitionError("'vars' must be a mapping");
  }
  if (definition.output_map !== undefined && definition.output_map !== null && !isObject(definition.output_map)) {
    throw new DefinitionError("'output_map' must be a mapping");
  }
  const policy = definition.cancellation_policy ?? 'allow_finish';
  if (policy !== 'allow_finish' && policy !== 'cancel_running') {
    throw new DefinitionError(`cancellation_policy must be allow_finish or cancel_running (got '${String(policy)}')`);
  }
  return {
    tasks,
    byName,
    vars,
    outputMap: isObject(definition.output_map) ? definition.output_map : null,
    cancellationPolicy: policy,
    inbound,
    entryTasks: tasks.filter((t) => (inbound.get(t.name) ?? []).length === 0).map((t) => t.name),
  };
}

/** How many completed predecessors a task waits for before it starts (1 without a join). */
export function joinRequirement(spec: WorkflowSpec, task: TaskSpec): number {
  if (task.join === undefined) return 1;
  if (task.join === 'all') return Math.max(1, (spec.inbound.get(task.name) ?? []).length);
  return task.join;
}

/** Seconds to wait before retry attempt `attempt` (1 = first retry). */
export function retryDelaySeconds(retry: RetrySpec, attempt: number): number {
  const k = Math.max(1, attempt);
  const raw = retry.backoff === 'constant' ? retry.delay : retry.backoff === 'linear' ? retry.delay * k : retry.delay * 2 ** (k - 1);
  return retry.maxDelay === null ? raw : Math.min(raw, retry.maxDelay);
}

/** Every template-bearing place of a definition, for validation: [where, value]. */
export function templatePlaces(spec: WorkflowSpec): Array<{ task: string | null; where: string; value: Json }> {
  const out: Array<{ task: string | null; where: string; value: Json }> = [];
  for (const t of spec.tasks) {
    if (t.input) out.push({ task: t.name, where: 'input', value: t.input });
    if (t.withItems !== undefined) out.push({ task: t.name, where: 'with_items', value: t.withItems });
    t.next.forEach((tr, j) => {
      if (tr.when !== undefined) out.push({ task: t.name, where: `next[${j}].when`, value: tr.when });
      for (const [name, value] of tr.publish) out.push({ task: t.name, where: `next[${j}].publish.${name}`, value });
    });
  }
  if (spec.outputMap) out.push({ task: null, where: 'output_map', value: spec.outputMap });
  return out;
}
