/**
 * Checking parameter documents against Attune's flat parameter schemas.
 *
 * A flat schema maps each parameter name to `{type, description, default, required: true, secret,
 * enum, minimum, maximum, ...}`. The JSON-Schema wrapper form (`{type: "object", properties, required: [...]}`)
 * is tolerated and read as the equivalent flat schema. Only the constraints a parameter declares are
 * checked: presence of required parameters (unless they have a default), the declared type, `enum`,
 * `minimum` / `maximum`. Unknown types and unknown keywords never reject. Extra parameters are allowed.
 */

export interface ParamSpec {
  type?: unknown;
  required?: unknown;
  default?: unknown;
  enum?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  [k: string]: unknown;
}

export interface ParamProblem {
  parameter: string;
  message: string;
}

export interface CheckOptions {
  /** Report required parameters that are missing (and have no default). Default true. */
  checkRequired?: boolean;
  /** Strings holding a `{{ … }}` template pass every check (rule action_params). Default false. */
  allowTemplates?: boolean;
  /** Report values of the wrong declared type. Default true. */
  checkTypes?: boolean;
  /** Report values outside a declared `enum`. Default true. */
  checkEnums?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The flat form of a parameter schema (empty when the schema is absent or not an object). */
export function flatSchema(schema: unknown): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  if (!isObject(schema)) return out;
  if (schema.type === 'object' && isObject(schema.properties)) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const [name, spec] of Object.entries(schema.properties)) {
      if (!isObject(spec)) continue;
      out[name] = { ...spec, required: spec.required === true || required.includes(name) };
    }
    return out;
  }
  for (const [name, spec] of Object.entries(schema)) if (isObject(spec)) out[name] = spec;
  return out;
}

const TEMPLATE = /\{\{[\s\S]*\}\}/;

export function isTemplate(v: unknown): boolean {
  return typeof v === 'string' && TEMPLATE.test(v);
}

/** JSON type name of a value as a schema would say it. */
export function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** True when `value` has (one of) the declared type(s). Unknown type names accept anything. */
export function typeMatches(declared: unknown, value: unknown): boolean {
  const types = Array.isArray(declared) ? declared : [declared];
  if (types.length === 0) return true;
  return types.some((t) => {
    switch (t) {
      case 'string':
        return typeof value === 'string';
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isObject(value);
      case 'null':
        return value === null;
      default:
        return true; // 'any', undefined, or a type we do not know
    }
  });
}

/** Every problem of `params` against `schema`, in schema order then parameter order. */
export function checkParameters(schema: unknown, params: unknown, opts: CheckOptions = {}): ParamProblem[] {
  const checkRequired = opts.checkRequired ?? true;
  const checkTypes = opts.checkTypes ?? true;
  const checkEnums = opts.checkEnums ?? true;
  const problems: ParamProblem[] = [];
  const specs = flatSchema(schema);
  const values = isObject(params) ? params : {};
  for (const [name, spec] of Object.entries(specs)) {
    const present = Object.prototype.hasOwnProperty.call(values, name) && values[name] !== undefined;
    const value = present ? values[name] : undefined;
    const mustHave = checkRequired && spec.required === true && spec.default === undefined;
    if (!present) {
      if (mustHave) problems.push({ parameter: name, message: `parameter '${name}' is required` });
      continue;
    }
    if (value === null) {
      if (mustHave) problems.push({ parameter: name, message: `parameter '${name}' is required and must not be null` });
      continue;
    }
    if (opts.allowTemplates && isTemplate(value)) continue;
    if (checkTypes && spec.type !== undefined && !typeMatches(spec.type, value)) {
      const want = Array.isArray(spec.type) ? spec.type.join(' or ') : String(spec.type);
      problems.push({ parameter: name, message: `parameter '${name}' must be of type ${want}, got ${jsonTypeOf(value)}` });
      continue;
    }
    if (checkEnums && Array.isArray(spec.enum) && !spec.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      problems.push({ parameter: name, message: `parameter '${name}' must be one of ${JSON.stringify(spec.enum)}, got ${JSON.stringify(value)}` });
      continue;
    }
    if (typeof value === 'number') {
      if (typeof spec.minimum === 'number' && value < spec.minimum) {
        problems.push({ parameter: name, message: `parameter '${name}' must be >= ${spec.minimum}` });
      } else if (typeof spec.maximum === 'number' && value > spec.maximum) {
        problems.push({ parameter: name, message: `parameter '${name}' must be <= ${spec.maximum}` });
      }
    }
  }
  return problems;
}

/** One human sentence for a list of problems, e.g. for a 422 body. */
export function describeProblems(subject: string, problems: ParamProblem[]): string {
  return `Invalid parameters for ${subject}: ${problems.map((p) => p.message).join('; ')}`;
}

/**
 * The parameters with the schema's defaults filled in: every declared parameter that is missing or null and has a
 * `default` gets it (a copy; `params` is not changed). Returns the names that were filled, in schema order.
 */
export function applyDefaults(schema: unknown, params: unknown): { params: Record<string, unknown>; filled: string[] } {
  const out: Record<string, unknown> = isObject(params) ? { ...params } : {};
  const filled: string[] = [];
  for (const [name, spec] of Object.entries(flatSchema(schema))) {
    if (spec.default === undefined) continue;
    if (out[name] === undefined || out[name] === null) {
      out[name] = spec.default;
      filled.push(name);
    }
  }
  return { params: out, filled };
}
