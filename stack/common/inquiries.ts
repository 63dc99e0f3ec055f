/**
 * Inquiries (a person in the loop): the rules shared by the api (create, respond) and the executor
 * (the `core.ask` gate, timeouts) that need no database — response validation against an
 * inquiry's `response_schema`, timeout arithmetic, and the texts and results both sides write.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

export const ASK_ACTION_REF = 'core.ask';
export const INQUIRY_STATUSES = ['pending', 'responded', 'timeout', 'cancelled'] as const;
export type InquiryStatus = (typeof INQUIRY_STATUSES)[number];

/** `GET /inquiries/status/{status}` also accepts Attune's one-l spelling `canceled`. */
export function inquiryStatusOf(text: string): InquiryStatus | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'canceled') return 'cancelled';
  return (INQUIRY_STATUSES as readonly string[]).includes(s) ? (s as InquiryStatus) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const JSON_SCHEMA_KEYWORDS = ['type', 'properties', 'required', '$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'enum', 'const', 'items', 'additionalProperties', 'if', '$schema'];

/**
 * The JSON Schema a response is checked against. A JSON-Schema document is used as it is; Attune's
 * flat form (`{name: {type, required: true, …}, …}`, every value a mapping) becomes the equivalent
 * object schema. Anything else (null, not an object) means "no schema".
 */
export function normalizeResponseSchema(schema: unknown): Record<string, unknown> | null {
  if (!isObject(schema) || Object.keys(schema).length === 0) return null;
  if (JSON_SCHEMA_KEYWORDS.some((k) => k in schema)) return schema;
  const entries = Object.entries(schema);
  if (!entries.every(([, spec]) => isObject(spec))) return schema;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, spec] of entries) {
    const { required: req, secret: _secret, ...rest } = spec as Record<string, unknown>;
    properties[name] = rest;
    if (req === true) required.push(name);
  }
  return { type: 'object', properties, required };
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 200;

/** Compiles (cached by the schema's JSON text); throws with ajv's message when the schema is unusable. */
function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, v);
  }
  return v;
}

/** Why a response_schema cannot be used, or null when it can (absent schemas are fine). */
export function responseSchemaProblem(schema: unknown): string | null {
  if (schema === null || schema === undefined) return null;
  if (!isObject(schema)) return 'response_schema must be an object';
  const normalized = normalizeResponseSchema(schema);
  if (!normalized) return null;
  try {
    validatorFor(normalized);
    return null;
  } catch (err) {
    return `response_schema is not a valid JSON schema: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** One failing field as a person reads it: `/approved must be boolean`, `/approved is required`. */
export function describeAjvError(e: Pick<ErrorObject, 'instancePath' | 'keyword' | 'params' | 'message'>): string {
  const at = e.instancePath || '';
  if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') return `${at}/${e.params.missingProperty} is required`;
  if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
    return `${at}/${e.params.additionalProperty} is not allowed`;
  }
  if (e.keyword === 'enum' && Array.isArray(e.params?.allowedValues)) {
    return `${at || '/'} must be one of ${e.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  }
  return `${at || '/'} ${e.message ?? 'is invalid'}`;
}

/**
 * What is wrong with `response` under `schema` (empty = acceptable). Each problem names its field
 * as a JSON pointer into the response; duplicates are dropped, order is ajv's.
 */
export function responseProblems(schema: unknown, response: unknown): string[] {
  const normalized = normalizeResponseSchema(schema);
  if (!normalized) return [];
  let validate: ValidateFunction;
  try {
    validate = validatorFor(normalized);
  } catch (err) {
    return [`the inquiry's response_schema is not a valid JSON schema (${err instanceof Error ? err.message : String(err)})`];
  }
  if (validate(response)) return [];
  const out: string[] = [];
  for (const e of validate.errors ?? []) {
    // the branch-by-branch noise of anyOf/oneOf/if: keep the summary line only
    const text = describeAjvError(e);
    if (!out.includes(text)) out.push(text);
  }
  return out.length ? out : ['/ is invalid'];
}

export function responseMismatchMessage(problems: string[]): string {
  return `Response does not match the inquiry's schema: ${problems.join('; ')}`;
}

export function notPendingMessage(id: number, status: string): string {
  return `Inquiry ${id} is not pending (status ${status})`;
}

export function timedOutMessage(id: number, timeoutAt: Date): string {
  return `Inquiry ${id} timed out at ${timeoutAt.toISOString()}`;
}

/** `timeout_seconds` of a core.ask input: a positive number of seconds, else no timeout (null). */
export function timeoutSecondsOf(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null;
  return n;
}

/** When an inquiry created at `now` with `timeoutSeconds` expires (null: never). */
export function timeoutAtFrom(now: Date, timeoutSeconds: unknown): Date | null {
  const s = timeoutSecondsOf(timeoutSeconds);
  return s === null ? null : new Date(now.getTime() + Math.round(s * 1000));
}

/** True once `timeoutAt` has been reached. */
export function isPastTimeout(timeoutAt: Date | string | null | undefined, now: Date = new Date()): boolean {
  if (timeoutAt === null || timeoutAt === undefined) return false;
  const t = timeoutAt instanceof Date ? timeoutAt.getTime() : Date.parse(timeoutAt);
  return Number.isFinite(t) && t <= now.getTime();
}

/** Milliseconds until `timeoutAt` (0 when already past), capped to what setTimeout can wait. */
export function msUntil(timeoutAt: Date, now: Date = new Date()): number {
  return Math.min(Math.max(0, timeoutAt.getTime() - now.getTime()), 2_147_483_647);
}

/** The result of a core.ask execution, by how its inquiry ended. */
export function askAnsweredResult(inquiryId: number, response: unknown, withResponse = true): Record<string, unknown> {
  return withResponse ? { succeeded: true, response, inquiry_id: inquiryId } : { succeeded: true, inquiry_id: inquiryId };
}

export function askTimedOutResult(inquiryId: number): Record<string, unknown> {
  return { succeeded: false, timed_out: true, error: `Inquiry ${inquiryId} timed out` };
}

export function askCancelledResult(inquiryId: number | null): Record<string, unknown> {
  return {
    succeeded: false,
    cancelled: true,
    error: inquiryId === null ? 'Cancelled while waiting for a response' : `Inquiry ${inquiryId} cancelled`,
  };
}

/** The input of a core.ask execution, read from its config; `problem` set when it cannot ask. */
export interface AskInput {
  prompt: string;
  response_schema: Record<string, unknown> | null;
  assigned_to: number | null;
  timeout_seconds: number | null;
}

export function readAskInput(config: unknown): { input: AskInput } | { problem: string } {
  const c = isObject(config) ? config : {};
  const prompt = c.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') return { problem: 'core.ask needs a non-empty prompt' };
  let schema: Record<string, unknown> | null = null;
  if (c.response_schema !== undefined && c.response_schema !== null) {
    if (!isObject(c.response_schema)) return { problem: 'core.ask: response_schema must be an object' };
    const problem = responseSchemaProblem(c.response_schema);
    if (problem) return { problem: `core.ask: ${problem}` };
    schema = c.response_schema;
  }
  let assignee: number | null = null;
  if (c.assigned_to !== undefined && c.assigned_to !== null && c.assigned_to !== '') {
    const n = typeof c.assigned_to === 'string' ? Number(c.assigned_to) : c.assigned_to;
    if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) return { problem: `core.ask: assigned_to must be an identity id (got ${JSON.stringify(c.assigned_to)})` };
    assignee = n;
  }
  return { input: { prompt, response_schema: schema, assigned_to: assignee, timeout_seconds: timeoutSecondsOf(c.timeout_seconds) } };
}
