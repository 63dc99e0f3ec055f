/**
 * Attune's pack format on disk, read into plain rows (no database here).
 *
 *   readPackFiles(dir)  -> the YAML texts of a pack folder (path relative to the pack root → text)
 *   parsePack(files)    -> ParsedPack: one field set per component, keyed the way the tables are
 *
 * Key mapping follows Attune's loader: `parameters` → param_schema, `output` → out_schema,
 * `entry_point` → entrypoint, `runner_type` → runtime (resolved later, by name or alias),
 * `runtime_version` → runtime_version_constraint, `system` → is_standard, label defaults to the
 * title-cased name of the ref. Unqualified refs are qualified with the pack ref. A component file
 * without `ref` is skipped with a warning; every other problem is a 400 naming the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { fault } from '../common/faults';
import { badRequest } from './http';
import { workflowStructureProblem } from './workflow-checks';
import { stringifyExact } from '../common/exact-json';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const PACK_REF_RE = /^[a-z][a-z0-9_-]+$/;
export const SEMVER_RE = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
export const PARAMETER_DELIVERIES = ['stdin', 'file'] as const;
export const PARAMETER_FORMATS = ['dotenv', 'json', 'yaml'] as const;
export const OUTPUT_FORMATS = ['text', 'json', 'yaml', 'jsonl'] as const;
export const REFERENCE_VISIBILITIES = ['public', 'private', 'restricted'] as const;

/** Component folders in Attune's load order (workflows/ = legacy standalone workflow files). */
export const COMPONENT_DIRS = ['permission_sets', 'runtimes', 'triggers', 'actions', 'workflows', 'policies', 'rules', 'sensors'] as const;

const MAX_YAML_FILES = 2000;
const MAX_YAML_BYTES = 2 * 1024 * 1024;
const SKIPPED_DIRS = new Set(['node_modules', '.venv', 'venv', '__pycache__', '.git', 'tests', 'lib']);

// ------------------------------------------------------------------------------------------------
// Rows
// ------------------------------------------------------------------------------------------------

export interface PackFields {
  ref: string;
  label: string;
  description: string | null;
  version: string;
  conf_schema: JsonObject;
  config: JsonObject;
  meta: JsonObject;
  tags: string[];
  runtime_deps: string[];
  dependencies: string[];
  system: boolean;
}

interface Located {
  /** The file (relative to the pack root) the row comes from, for error messages. */
  file: string;
  ref: string;
}

export interface PermissionSetFields extends Located {
  label: string;
  description: string | null;
  grants: Json[];
}

export interface RuntimeVersionFields {
  version: string;
  version_major: number | null;
  version_minor: number | null;
  version_patch: number | null;
  is_default: boolean;
  available: boolean;
  distributions: JsonObject;
  execution_config: JsonObject;
  meta: JsonObject;
}

export interface RuntimeFields extends Located {
  name: string;
  aliases: string[];
  description: string | null;
  distributions: JsonObject;
  installation: JsonObject | null;
  execution_config: JsonObject;
  versions: RuntimeVersionFields[];
}

export interface TriggerFields extends Located {
  label: string;
  description: string | null;
  enabled: boolean;
  param_schema: JsonObject | null;
  out_schema: JsonObject | null;
}

export interface WorkflowFields extends Located {
  label: string;
  description: string | null;
  version: string;
  param_schema: JsonObject | null;
  out_schema: JsonObject | null;
  definition: JsonObject;
  tags: string[];
}

export interface ActionFields extends Located {
  label: string;
  description: string | null;
  /** The runner name as written (shell, python, node, native, or a runtime ref); null for workflows. */
  runner_type: string | null;
  entrypoint: string;
  enabled: boolean;
  param_schema: JsonObject | null;
  out_schema: JsonObject | null;
  parameter_delivery: string;
  parameter_format: string;
  output_format: string;
  runtime_version_constraint: string | null;
  timeout_seconds: number | null;
  max_retries: number;
  required_worker_runtimes: JsonObject;
  worker_selector: JsonObject;
  worker_tolerations: Json[];
  worker_affinity: JsonObject;
  default_execution_permission_set_refs: string[];
  accesses_mcp: boolean;
  reference_visibility: string;
  reference_allowed_pack_refs: string[];
  /** Set for workflow actions (`workflow_file`, or a legacy standalone workflows/*.yaml). */
  workflow: WorkflowFields | null;
}

export interface PolicyFields extends Located {
  name: string | null;
  description: string | null;
  enabled: boolean;
  priority: number;
  tags: string[];
  scope: 'action' | 'pack' | 'global';
  action_ref: string | null;
  parameters: string[];
  method: 'enqueue' | 'cancel' | null;
  threshold: number | null;
  rate_limit_max_executions: number | null;
  rate_limit_window_seconds: number | null;
  quotas: Json[];
}

export interface RuleFields extends Located {
  label: string;
  description: string | null;
  trigger_ref: string;
  action_ref: string;
  trigger_params: JsonObject;
  conditions: Json;
  action_params: JsonObject;
  enabled: boolean;
  permission_set_refs: string[] | null;
  trace_tag_template: string | null;
}

export interface SensorFields extends Located {
  label: string;
  description: string | null;
  enabled: boolean;
  runner_type: string;
  entrypoint: string;
  trigger_types: string[];
  param_schema: JsonObject | null;
  config: JsonObject | null;
  runtime_version_constraint: string | null;
  worker_selector: JsonObject;
  worker_tolerations: Json[];
  worker_affinity: JsonObject;
}

export interface ParsedPack {
  pack: PackFields;
  permissionSets: PermissionSetFields[];
  runtimes: RuntimeFields[];
  triggers: TriggerFields[];
  actions: ActionFields[];
  policies: PolicyFields[];
  rules: RuleFields[];
  sensors: SensorFields[];
  warnings: string[];
}

// ------------------------------------------------------------------------------------------------
// Reading a folder
// ------------------------------------------------------------------------------------------------

/**
 * The YAML files of a pack folder: pack.yaml and every *.yaml / *.yml below the component folders
 * (posix paths relative to the root). Throws 400 when the folder or its pack.yaml is missing.
 */
export function readPackFiles(dir: string): Map<string, string> {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw badRequest(`Pack directory '${dir}' does not exist`);
  }
  if (!st.isDirectory()) throw badRequest(`Pack path '${dir}' is not a directory`);
  const manifest = ['pack.yaml', 'pack.yml'].find((f) => isFile(path.join(dir, f)));
  if (!manifest) throw badRequest(`No pack.yaml found in '${dir}'`);
  const files = new Map<string, string>();
  files.set('pack.yaml', readText(path.join(dir, manifest), manifest));
  const walk = (abs: string, rel: string, depth: number) => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const childAbs = path.join(abs, entry.name);
      if (entry.isDirectory()) {
        if (depth < 4 && !entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) walk(childAbs, childRel, depth + 1);
      } else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) {
        if (files.size >= MAX_YAML_FILES) throw badRequest(`Pack '${dir}' holds more than ${MAX_YAML_FILES} YAML files`);
        files.set(childRel, readText(childAbs, childRel));
      }
    }
  };
  for (const sub of COMPONENT_DIRS) {
    const abs = path.join(dir, sub);
    if (isDir(abs)) walk(abs, sub, 1);
  }
  return files;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readText(abs: string, rel: string): string {
  const size = fs.statSync(abs).size;
  if (size > MAX_YAML_BYTES) throw badRequest(`${rel}: file is larger than ${MAX_YAML_BYTES} bytes`);
  return fs.readFileSync(abs, 'utf8');
}

// ------------------------------------------------------------------------------------------------
// Small validators (every failure names the file and the key)
// ------------------------------------------------------------------------------------------------

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one YAML document; the document must be a mapping (null for an empty file). */
export function parseYamlDoc(file: string, text: string): Record<string, unknown> | null {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0].replace(/:\s*$/, '');
    throw badRequest(`${file}: invalid YAML: ${msg}`);
  }
  if (doc === null || doc === undefined) return null;
  if (!isMapping(doc)) throw badRequest(`${file}: the document must be a mapping of keys to values`);
  return doc;
}

/** JSON-safe copy (YAML dates become ISO strings, non-finite numbers are refused). */
function toJson(file: string, key: string, v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw badRequest(`${file}: '${key}' holds a number JSON cannot represent`);
    return v;
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x) => toJson(file, key, x));
  if (isMapping(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJson(file, key, x);
    return out;
  }
  throw badRequest(`${file}: '${key}' holds a value JSON cannot represent`);
}

function optString(doc: Record<string, unknown>, key: string, file: string): string | null {
  const v = doc[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw badRequest(`${file}: '${key}' must be a string`);
  return v;
}

function optBool(doc: Record<string, unknown>, key: string, file: string, dflt: boolean): boolean {
  const v = doc[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw badRequest(`${file}: '${key}' must be true or false`);
  return v;
}

function optInt(doc: Record<string, unknown>, key: string, file: string, opts: { min?: number } = {}): number | null {
  const v = doc[key];
  if (v === undefined || v === null) return null;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`${file}: '${key}' must be an integer`);
  if (opts.min !== undefined && n < opts.min) throw badRequest(`${file}: '${key}' must be at least ${opts.min}`);
  if (n > 2147483647) throw badRequest(`${file}: '${key}' is too large`);
  return n;
}

function optObject(doc: Record<string, unknown>, key: string, file: string): JsonObject | null {
  const v = doc[key];
  if (v === undefined || v === null) return null;
  if (!isMapping(v)) throw badRequest(`${file}: '${key}' must be a mapping`);
  return toJson(file, key, v) as JsonObject;
}

function optArray(doc: Record<string, unknown>, key: string, file: string): Json[] | null {
  const v = doc[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw badRequest(`${file}: '${key}' must be a list`);
  return toJson(file, key, v) as Json[];
}

function stringList(doc: Record<string, unknown>, key: string, file: string): string[] | null {
  const v = doc[key];
  if (v === undefined || v === null) return null;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number')) {
    throw badRequest(`${file}: '${key}' must be a list of strings`);
  }
  return list.map((x) => String(x));
}

function oneOf<T extends string>(doc: Record<string, unknown>, key: string, file: string, allowed: readonly T[], dflt: T): T {
  const v = doc[key];
  if (v === undefined || v === null) return dflt;
  const s = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (typeof s !== 'string' || !(allowed as readonly string[]).includes(s)) {
    throw badRequest(`${file}: '${key}' must be one of ${allowed.join(', ')} (got ${stringifyExact(v)})`);
  }
  return s as T;
}

/** A flat parameter/output schema (or a JSON-Schema object): must be a mapping when present. */
function schemaOf(doc: Record<string, unknown>, key: string, file: string): JsonObject | null {
  return optObject(doc, key, file);
}

// ------------------------------------------------------------------------------------------------
// Refs and labels
// ------------------------------------------------------------------------------------------------

/** `name` → `<pack>.name`; an already qualified ref is returned unchanged. */
export function qualifyRef(packRef: string, ref: string): string {
  const r = ref.trim();
  return r.includes('.') ? r : `${packRef}.${r}`;
}

/** The part after the first dot (the whole string when there is none). */
export function refName(ref: string): string {
  const i = ref.indexOf('.');
  return i < 0 ? ref : ref.slice(i + 1);
}

/** Title-cased label from a ref's name part: `http_request` → `Http Request`. */
export function labelFromRef(ref: string): string {
  return refName(ref)
    .split(/[_\-\s.]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * The qualified ref of a component this pack declares. It must be lower-case `pack.name` in this
 * pack's namespace (a pack may not declare another pack's components).
 */
export function ownComponentRef(packRef: string, raw: string, file: string, kind: string): string {
  const ref = qualifyRef(packRef, raw);
  if (ref !== ref.toLowerCase()) throw badRequest(`${file}: ${kind} ref '${ref}' must be lower-case`);
  if (!/^[^.\s]+\.[^.\s]+$/.test(ref)) throw badRequest(`${file}: ${kind} ref '${ref}' must have the form '<pack>.<name>' with exactly one dot`);
  if (ref.split('.')[0] !== packRef) throw badRequest(`${file}: ${kind} ref '${ref}' must belong to pack '${packRef}'`);
  return ref;
}

/** A ref to a component of any pack (rule trigger/action refs, sensor trigger types, policy actions). */
export function foreignComponentRef(packRef: string, raw: string, file: string, key: string): string {
  const ref = qualifyRef(packRef, raw);
  if (!/^[^.\s]+\.[^.\s]+$/.test(ref)) throw badRequest(`${file}: '${key}' must be a ref of the form '<pack>.<name>' (got '${raw}')`);
  return ref;
}

// ------------------------------------------------------------------------------------------------
// The whole pack
// ------------------------------------------------------------------------------------------------

/** Files directly inside a component folder, sorted by name. */
function componentFiles(files: Map<string, string>, dir: string): string[] {
  return [...files.keys()].filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/')).sort();
}

export function parsePackManifest(text: string, file = 'pack.yaml'): PackFields {
  const doc = parseYamlDoc(file, text);
  if (!doc) throw badRequest(`${file}: the file is empty`);
  const ref = optString(doc, 'ref', file);
  if (!ref) throw badRequest(`${file}: 'ref' is required`);
  if (!PACK_REF_RE.test(ref)) {
    throw badRequest(`${file}: pack ref '${ref}' is invalid: use lower-case letters, digits, '_' and '-', starting with a letter, no dots`);
  }
  const version = optString(doc, 'version', file);
  if (!version) throw badRequest(`${file}: 'version' is required`);
  if (!SEMVER_RE.test(version)) throw badRequest(`${file}: version '${version}' is not a semantic version (x.y.z)`);
  const label = optString(doc, 'label', file) ?? optString(doc, 'name', file) ?? ref;
  if (label.length > 255) throw badRequest(`${file}: 'label' is longer than 255 characters`);
  return {
    ref,
    label,
    description: optString(doc, 'description', file),
    version,
    conf_schema: optObject(doc, 'conf_schema', file) ?? optObject(doc, 'config_schema', file) ?? {},
    config: optObject(doc, 'config', file) ?? {},
    meta: optObject(doc, 'meta', file) ?? optObject(doc, 'metadata', file) ?? {},
    tags: stringList(doc, 'tags', file) ?? stringList(doc, 'keywords', file) ?? [],
    runtime_deps: stringList(doc, 'runtime_deps', file) ?? [],
    dependencies: stringList(doc, 'dependencies', file) ?? [],
    system: optBool(doc, 'system', file, false),
  };
}

/** The pack ref named by a pack.yaml text (used before anything is written). */
export function packRefOf(text: string): string {
  return parsePackManifest(text).ref;
}

export function parsePack(files: Map<string, string>): ParsedPack {
  const manifest = files.get('pack.yaml') ?? files.get('pack.yml');
  if (manifest === undefined) throw badRequest('pack.yaml is missing');
  const pack = parsePackManifest(manifest);
  const out: ParsedPack = { pack, permissionSets: [], runtimes: [], triggers: [], actions: [], policies: [], rules: [], sensors: [], warnings: [] };
  const seen = new Map<string, Map<string, string>>();
  const claim = (kind: string, ref: string, file: string) => {
    let m = seen.get(kind);
    if (!m) seen.set(kind, (m = new Map()));
    const prior = m.get(ref);
    if (prior) throw badRequest(`${file}: ${kind} '${ref}' is already declared in ${prior}`);
    m.set(ref, file);
  };
  const docs = (dir: string) => {
    const list: Array<{ file: string; doc: Record<string, unknown>; ref: string }> = [];
    for (const file of componentFiles(files, dir)) {
      const doc = parseYamlDoc(file, files.get(file)!);
      if (!doc) {
        out.warnings.push(`${file}: empty file skipped`);
        continue;
      }
      const ref = optString(doc, 'ref', file);
      if (!ref || ref.trim() === '') {
        out.warnings.push(`${file}: no 'ref', file skipped`);
        continue;
      }
      list.push({ file, doc, ref });
    }
    return list;
  };

  for (const { file, doc, ref } of docs('permission_sets')) {
    const ps = mapPermissionSet(pack.ref, file, doc, ref);
    claim('permission set', ps.ref, file);
    out.permissionSets.push(ps);
  }
  for (const { file, doc, ref } of docs('runtimes')) {
    const rt = mapRuntime(pack.ref, file, doc, ref);
    claim('runtime', rt.ref, file);
    out.runtimes.push(rt);
  }
  for (const { file, doc, ref } of docs('triggers')) {
    const t = mapTrigger(pack.ref, file, doc, ref);
    claim('trigger', t.ref, file);
    out.triggers.push(t);
  }
  for (const { file, doc, ref } of docs('actions')) {
    const a = mapAction(pack.ref, file, doc, ref, files);
    claim('action', a.ref, file);
    out.actions.push(a);
  }
  for (const { file, doc, ref } of docs('workflows')) {
    const a = mapStandaloneWorkflow(pack.ref, file, doc, ref);
    if (seen.get('action')?.has(a.ref)) {
      out.warnings.push(`${file}: workflow '${a.ref}' is already declared as an action; standalone file skipped`);
      continue;
    }
    claim('action', a.ref, file);
    out.actions.push(a);
  }
  for (const { file, doc, ref } of docs('policies')) {
    const p = mapPolicy(pack.ref, file, doc, ref);
    claim('policy', p.ref, file);
    out.policies.push(p);
  }
  for (const { file, doc, ref } of docs('rules')) {
    const r = mapRule(pack.ref, file, doc, ref);
    claim('rule', r.ref, file);
    out.rules.push(r);
  }
  for (const { file, doc, ref } of docs('sensors')) {
    const s = mapSensor(pack.ref, file, doc, ref);
    claim('sensor', s.ref, file);
    out.sensors.push(s);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Components
// ------------------------------------------------------------------------------------------------

export function mapPermissionSet(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): PermissionSetFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'permission set');
  const grants = optArray(doc, 'grants', file) ?? [];
  grants.forEach((g, i) => {
    const where = `${file}: grants[${i}]`;
    if (!isMapping(g)) throw badRequest(`${where} must be a mapping with 'resource' and 'actions'`);
    if (typeof g.resource !== 'string' || g.resource.trim() === '') throw badRequest(`${where}.resource must be a non-empty string`);
    if (!Array.isArray(g.actions) || g.actions.length === 0 || g.actions.some((a) => typeof a !== 'string' || a === '')) {
      throw badRequest(`${where}.actions must be a non-empty list of strings`);
    }
    if (g.constraints !== undefined && g.constraints !== null && !isMapping(g.constraints)) {
      throw badRequest(`${where}.constraints must be a mapping`);
    }
  });
  return { file, ref, label: optString(doc, 'label', file) ?? labelFromRef(ref), description: optString(doc, 'description', file), grants };
}

function versionParts(v: string): [number | null, number | null, number | null] {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  if (!m) return [null, null, null];
  const n = (s?: string) => (s === undefined ? null : Number(s));
  return [n(m[1]), n(m[2]), n(m[3])];
}

export function mapRuntime(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): RuntimeFields {
  const ref = qualifyRef(packRef, rawRef);
  if (ref !== ref.toLowerCase()) throw badRequest(`${file}: runtime ref '${ref}' must be lower-case`);
  if (ref.split('.')[0] !== packRef || refName(ref) === '') throw badRequest(`${file}: runtime ref '${ref}' must belong to pack '${packRef}'`);
  const versions = (optArray(doc, 'versions', file) ?? []).map((v, i) => {
    if (!isMapping(v)) throw badRequest(`${file}: versions[${i}] must be a mapping`);
    const version = optString(v, 'version', `${file}: versions[${i}]`);
    if (!version) throw badRequest(`${file}: versions[${i}].version is required`);
    const [major, minor, patch] = versionParts(version);
    return {
      version,
      version_major: major,
      version_minor: minor,
      version_patch: patch,
      is_default: optBool(v, 'is_default', file, false),
      available: optBool(v, 'available', file, true),
      distributions: optObject(v, 'distributions', file) ?? {},
      execution_config: optObject(v, 'execution_config', file) ?? {},
      meta: optObject(v, 'meta', file) ?? {},
    };
  });
  const seenVersions = new Set<string>();
  for (const v of versions) {
    if (seenVersions.has(v.version)) throw badRequest(`${file}: version '${v.version}' is listed twice`);
    seenVersions.add(v.version);
  }
  return {
    file,
    ref,
    name: optString(doc, 'name', file) ?? refName(ref),
    aliases: (stringList(doc, 'aliases', file) ?? []).map((a) => a.toLowerCase()),
    description: optString(doc, 'description', file),
    distributions: optObject(doc, 'distributions', file) ?? {},
    installation: optObject(doc, 'installation', file),
    execution_config: optObject(doc, 'execution_config', file) ?? {},
    versions,
  };
}

export function mapTrigger(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): TriggerFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'trigger');
  return {
    file,
    ref,
    label: optString(doc, 'label', file) ?? labelFromRef(ref),
    description: optString(doc, 'description', file),
    enabled: optBool(doc, 'enabled', file, true),
    param_schema: schemaOf(doc, 'parameters', file),
    out_schema: schemaOf(doc, 'output', file),
  };
}

/** `workflow_file` (relative to actions/) → the normalised path of the graph file inside the pack. */
export function workflowFilePath(workflowFile: string, file: string): string {
  const rel = workflowFile.trim().replace(/\\/g, '/');
  if (rel === '' || path.posix.isAbsolute(rel)) throw badRequest(`${file}: workflow_file '${workflowFile}' must be a path relative to actions/`);
  const joined = path.posix.normalize(path.posix.join('actions', rel));
  if (joined === '..' || joined.startsWith('../')) throw badRequest(`${file}: workflow_file '${workflowFile}' must stay inside the pack`);
  return joined;
}

export function mapAction(
  packRef: string,
  file: string,
  doc: Record<string, unknown>,
  rawRef: string,
  files: Map<string, string>,
): ActionFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'action');
  const label = optString(doc, 'label', file) ?? labelFromRef(ref);
  const description = optString(doc, 'description', file);
  const paramSchema = schemaOf(doc, 'parameters', file);
  const outSchema = schemaOf(doc, 'output', file);
  const tags = stringList(doc, 'tags', file) ?? [];
  const workflowFile = optString(doc, 'workflow_file', file);
  let workflow: WorkflowFields | null = null;
  if (workflowFile) {
    const graphPath = workflowFilePath(workflowFile, file);
    const text = files.get(graphPath);
    if (text === undefined) throw badRequest(`${file}: workflow_file '${workflowFile}' not found (looked for ${graphPath})`);
    const graph = parseYamlDoc(graphPath, text);
    if (!graph) throw badRequest(`${graphPath}: the workflow file is empty`);
    const definition = normalizeWorkflowDefinition(graphPath, graph);
    workflow = {
      file: graphPath,
      ref,
      label,
      description,
      version: String(definition.version),
      param_schema: paramSchema ?? schemaOf(graph, 'parameters', graphPath),
      out_schema: outSchema ?? schemaOf(graph, 'output', graphPath),
      definition,
      tags: tags.length ? tags : stringList(graph, 'tags', graphPath) ?? [],
    };
  }
  const timeout = optInt(doc, 'timeout_seconds', file, { min: 1 }) ?? optInt(doc, 'timeout', file, { min: 1 });
  return {
    file,
    ref,
    label,
    description,
    runner_type: workflow ? null : (optString(doc, 'runner_type', file) ?? 'shell').trim(),
    entrypoint: workflow ? workflowFile! : optString(doc, 'entry_point', file) ?? optString(doc, 'entrypoint', file) ?? '',
    enabled: optBool(doc, 'enabled', file, true),
    param_schema: paramSchema,
    out_schema: outSchema,
    parameter_delivery: oneOf(doc, 'parameter_delivery', file, PARAMETER_DELIVERIES, 'stdin'),
    parameter_format: oneOf(doc, 'parameter_format', file, PARAMETER_FORMATS, 'json'),
    output_format: oneOf(doc, 'output_format', file, OUTPUT_FORMATS, 'text'),
    runtime_version_constraint: optString(doc, 'runtime_version', file),
    timeout_seconds: timeout,
    max_retries: optInt(doc, 'max_retries', file, { min: 0 }) ?? 0,
    required_worker_runtimes: optObject(doc, 'required_worker_runtimes', file) ?? {},
    worker_selector: optObject(doc, 'worker_selector', file) ?? {},
    worker_tolerations: optArray(doc, 'worker_tolerations', file) ?? [],
    worker_affinity: optObject(doc, 'worker_affinity', file) ?? {},
    default_execution_permission_set_refs: stringList(doc, 'default_execution_permission_set_refs', file) ?? [],
    accesses_mcp: optBool(doc, 'accesses_mcp', file, false),
    reference_visibility: oneOf(doc, 'reference_visibility', file, REFERENCE_VISIBILITIES, 'public'),
    reference_allowed_pack_refs: stringList(doc, 'reference_allowed_pack_refs', file) ?? [],
    workflow,
  };
}

/** A legacy standalone workflows/<name>.yaml: metadata and graph in one file; becomes a workflow action. */
export function mapStandaloneWorkflow(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): ActionFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'workflow');
  const label = optString(doc, 'label', file) ?? labelFromRef(ref);
  const description = optString(doc, 'description', file);
  const definition = normalizeWorkflowDefinition(file, doc);
  const paramSchema = schemaOf(doc, 'parameters', file);
  const outSchema = schemaOf(doc, 'output', file);
  return {
    file,
    ref,
    label,
    description,
    runner_type: null,
    entrypoint: file,
    enabled: optBool(doc, 'enabled', file, true),
    param_schema: paramSchema,
    out_schema: outSchema,
    parameter_delivery: 'stdin',
    parameter_format: 'json',
    output_format: 'text',
    runtime_version_constraint: null,
    timeout_seconds: optInt(doc, 'timeout_seconds', file, { min: 1 }),
    max_retries: 0,
    required_worker_runtimes: {},
    worker_selector: {},
    worker_tolerations: [],
    worker_affinity: {},
    default_execution_permission_set_refs: [],
    accesses_mcp: false,
    reference_visibility: 'public',
    reference_allowed_pack_refs: [],
    workflow: {
      file,
      ref,
      label,
      description,
      version: String(definition.version),
      param_schema: paramSchema,
      out_schema: outSchema,
      definition,
      tags: stringList(doc, 'tags', file) ?? [],
    },
  };
}

const LEGACY_TRANSITIONS: Array<[string, string | null]> = [
  ['on_success', '{{ succeeded() }}'],
  ['on_failure', '{{ failed() }}'],
  ['on_timeout', '{{ timed_out() }}'],
  ['on_complete', null],
];

function taskTargets(v: unknown, where: string): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) throw badRequest(`${where} must be a task name or a list of task names`);
  return list as string[];
}

/**
 * Checks a workflow graph (version, tasks with unique names, `do` targets that exist, then the
 * structural checks of workflow-checks.ts) and returns
 * it as JSON with legacy `on_success` / `on_failure` / `on_timeout` / `on_complete` turned into
 * `next` transitions and list-style `vars` turned into a map.
 */
export function normalizeWorkflowDefinition(file: string, doc: Record<string, unknown>): JsonObject {
  const def = toJson(file, 'workflow', doc) as JsonObject;
  const version = def.version;
  if (version === undefined || version === null || (typeof version !== 'string' && typeof version !== 'number')) {
    throw badRequest(`${file}: 'version' is required`);
  }
  const vText = String(version);
  if (vText.length < 1 || vText.length > 50) throw badRequest(`${file}: 'version' must be 1 to 50 characters`);
  def.version = vText;
  if (Array.isArray(def.vars)) {
    const vars: JsonObject = {};
    def.vars.forEach((entry, i) => {
      if (!isMapping(entry)) throw badRequest(`${file}: vars[${i}] must be a mapping`);
      Object.assign(vars, entry);
    });
    def.vars = vars;
  } else if (def.vars !== undefined && def.vars !== null && !isMapping(def.vars)) {
    throw badRequest(`${file}: 'vars' must be a mapping`);
  }
  if (def.output_map !== undefined && def.output_map !== null && !isMapping(def.output_map)) {
    throw badRequest(`${file}: 'output_map' must be a mapping`);
  }
  if (!Array.isArray(def.tasks) || def.tasks.length === 0) throw badRequest(`${file}: 'tasks' must be a non-empty list`);

  const names = new Set<string>();
  const collect = (tasks: Json[], where: string) => {
    tasks.forEach((t, i) => {
      if (!isMapping(t)) throw badRequest(`${file}: ${where}[${i}] must be a mapping`);
      if (typeof t.name !== 'string' || t.name.trim() === '') throw badRequest(`${file}: ${where}[${i}].name is required`);
      if (names.has(t.name)) throw badRequest(`${file}: task name '${t.name}' is used twice`);
      names.add(t.name);
      if (Array.isArray(t.tasks)) collect(t.tasks, `${where}[${i}].tasks`);
    });
  };
  collect(def.tasks, 'tasks');

  const normalize = (tasks: Json[], where: string) => {
    tasks.forEach((raw, i) => {
      const t = raw as JsonObject;
      const at = `${file}: ${where}[${i}] ('${t.name}')`;
      if (t.next === undefined || t.next === null) {
        const next: Json[] = [];
        for (const [key, when] of LEGACY_TRANSITIONS) {
          if (t[key] === undefined || t[key] === null) continue;
          const targets = taskTargets(t[key], `${at}.${key}`);
          const transition: JsonObject = { do: targets };
          if (when) transition.when = when;
          if (key === 'on_success' && Array.isArray(t.publish)) transition.publish = t.publish;
          next.push(transition);
          delete t[key];
        }
        if (next.length) t.next = next;
      }
      if (t.next !== undefined && t.next !== null) {
        if (!Array.isArray(t.next)) throw badRequest(`${at}.next must be a list of transitions`);
        t.next.forEach((tr, j) => {
          if (!isMapping(tr)) throw badRequest(`${at}.next[${j}] must be a mapping`);
          if (tr.do !== undefined && tr.do !== null) {
            const targets = taskTargets(tr.do, `${at}.next[${j}].do`);
            for (const target of targets) {
              // fault workflow-accepts-unknown-task: a `do` naming no task is not noticed
              if (!names.has(target) && !fault('workflow-accepts-unknown-task')) throw badRequest(`${at}.next[${j}].do names unknown task '${target}'`);
            }
            (tr as JsonObject).do = targets;
          }
          if (tr.publish !== undefined && tr.publish !== null && !Array.isArray(tr.publish) && !isMapping(tr.publish)) {
            throw badRequest(`${at}.next[${j}].publish must be a list of {name: value} or a mapping`);
          }
        });
      }
      if (Array.isArray(t.tasks)) normalize(t.tasks, `${where}[${i}].tasks`);
    });
  };
  normalize(def.tasks, 'tasks');
  // what the engine could never run (templates, joins, dead-end cycles, unreachable tasks); the
  // actions themselves are not looked up: a pack's actions may name each other in any order
  const problem = workflowStructureProblem(def);
  if (problem) throw badRequest(`${file}: ${problem}`);
  return def;
}

export function mapPolicy(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): PolicyFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'policy');
  const actionRaw = optString(doc, 'action_ref', file) ?? optString(doc, 'action', file);
  const packScope = optString(doc, 'pack_ref', file);
  if (packScope !== null && packScope !== packRef) throw badRequest(`${file}: pack_ref '${packScope}' must be this pack ('${packRef}')`);
  const scopeKey = optString(doc, 'scope', file);
  let scope: PolicyFields['scope'];
  let actionRef: string | null = null;
  if (actionRaw) {
    scope = 'action';
    actionRef = foreignComponentRef(packRef, actionRaw, file, 'action_ref');
  } else if (packScope !== null || scopeKey === 'pack') scope = 'pack';
  else scope = 'global';

  const conc = doc.concurrency === undefined || doc.concurrency === null ? doc : doc.concurrency;
  if (!isMapping(conc)) throw badRequest(`${file}: 'concurrency' must be a mapping`);
  const concFile = conc === doc ? file : `${file}: concurrency`;
  const threshold = optInt(conc, 'limit', concFile, { min: 1 }) ?? optInt(conc, 'threshold', concFile, { min: 1 });
  let method: PolicyFields['method'] = null;
  if (threshold !== null) method = oneOf(conc, 'method', concFile, ['enqueue', 'cancel'] as const, 'enqueue');
  const parameters = stringList(conc, 'parameters', concFile) ?? stringList(conc, 'group_by', concFile) ?? [];

  let rlMax: number | null = null;
  let rlWindow: number | null = null;
  if (doc.rate_limit !== undefined && doc.rate_limit !== null) {
    if (!isMapping(doc.rate_limit)) throw badRequest(`${file}: 'rate_limit' must be a mapping`);
    const rl = doc.rate_limit;
    rlMax = optInt(rl, 'max', `${file}: rate_limit`, { min: 1 }) ?? optInt(rl, 'max_executions', `${file}: rate_limit`, { min: 1 });
    rlWindow =
      optInt(rl, 'window', `${file}: rate_limit`, { min: 1 }) ??
      optInt(rl, 'window_seconds', `${file}: rate_limit`, { min: 1 });
    if ((rlMax === null) !== (rlWindow === null)) throw badRequest(`${file}: rate_limit needs both 'max' and 'window'`);
  }
  const quotas = optArray(doc, 'quotas', file) ?? [];
  quotas.forEach((q, i) => {
    if (!isMapping(q) || typeof q.quota_type !== 'string' || typeof q.limit !== 'number') {
      throw badRequest(`${file}: quotas[${i}] must be {quota_type, limit}`);
    }
  });
  if (threshold === null && rlMax === null && quotas.length === 0) {
    throw badRequest(`${file}: a policy needs a concurrency limit, a rate_limit or quotas`);
  }
  return {
    file,
    ref,
    name: optString(doc, 'name', file) ?? optString(doc, 'label', file),
    description: optString(doc, 'description', file),
    enabled: optBool(doc, 'enabled', file, true),
    priority: optInt(doc, 'priority', file) ?? 0,
    tags: stringList(doc, 'tags', file) ?? [],
    scope,
    action_ref: actionRef,
    parameters,
    method,
    threshold,
    rate_limit_max_executions: rlMax,
    rate_limit_window_seconds: rlWindow,
    quotas,
  };
}

export function mapRule(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): RuleFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'rule');
  const rulePack = optString(doc, 'pack_ref', file);
  if (rulePack !== null && rulePack !== packRef) throw badRequest(`${file}: pack_ref '${rulePack}' must be this pack ('${packRef}')`);
  const triggerRaw = optString(doc, 'trigger_ref', file) ?? optString(doc, 'trigger', file);
  const actionRaw = optString(doc, 'action_ref', file) ?? optString(doc, 'action', file);
  if (!triggerRaw) throw badRequest(`${file}: 'trigger_ref' is required`);
  if (!actionRaw) throw badRequest(`${file}: 'action_ref' is required`);
  const conditions = doc.conditions === undefined || doc.conditions === null ? [] : toJson(file, 'conditions', doc.conditions);
  if (typeof conditions !== 'object' || conditions === null) throw badRequest(`${file}: 'conditions' must be a list or a mapping`);
  return {
    file,
    ref,
    label: optString(doc, 'label', file) ?? labelFromRef(ref),
    description: optString(doc, 'description', file),
    trigger_ref: foreignComponentRef(packRef, triggerRaw, file, 'trigger_ref'),
    action_ref: foreignComponentRef(packRef, actionRaw, file, 'action_ref'),
    trigger_params: optObject(doc, 'trigger_params', file) ?? {},
    conditions,
    action_params: optObject(doc, 'action_params', file) ?? {},
    enabled: optBool(doc, 'enabled', file, true),
    permission_set_refs: stringList(doc, 'permission_set_refs', file),
    trace_tag_template: optString(doc, 'trace_tag_template', file),
  };
}

export function mapSensor(packRef: string, file: string, doc: Record<string, unknown>, rawRef: string): SensorFields {
  const ref = ownComponentRef(packRef, rawRef, file, 'sensor');
  return {
    file,
    ref,
    label: optString(doc, 'label', file) ?? labelFromRef(ref),
    description: optString(doc, 'description', file),
    enabled: optBool(doc, 'enabled', file, true),
    runner_type: (optString(doc, 'runner_type', file) ?? 'native').trim(),
    entrypoint: optString(doc, 'entry_point', file) ?? optString(doc, 'entrypoint', file) ?? '',
    trigger_types: (stringList(doc, 'trigger_types', file) ?? []).map((t) => foreignComponentRef(packRef, t, file, 'trigger_types')),
    param_schema: schemaOf(doc, 'parameters', file),
    config: optObject(doc, 'config', file),
    runtime_version_constraint: optString(doc, 'runtime_version', file),
    worker_selector: optObject(doc, 'worker_selector', file) ?? {},
    worker_tolerations: optArray(doc, 'worker_tolerations', file) ?? [],
    worker_affinity: optObject(doc, 'worker_affinity', file) ?? {},
  };
}

// ------------------------------------------------------------------------------------------------
// runner_type → runtime
// ------------------------------------------------------------------------------------------------

export interface RuntimeCandidate {
  id: number;
  ref: string;
  name: string;
  aliases: string[] | null;
  pack_ref: string | null;
}

/**
 * Finds the runtime a `runner_type` names: its ref, its name (case-insensitive), one of its
 * aliases, or the name part of its ref. The declaring pack's own runtimes win, then `core`'s,
 * then the oldest row.
 */
export function resolveRunnerType<T extends RuntimeCandidate>(runnerType: string, runtimes: T[], packRef: string): T | undefined {
  const key = runnerType.trim().toLowerCase();
  if (key === '') return undefined;
  const matches = runtimes.filter(
    (r) =>
      r.ref.toLowerCase() === key ||
      r.name.toLowerCase() === key ||
      (r.aliases ?? []).some((a) => a.toLowerCase() === key) ||
      refName(r.ref).toLowerCase() === key,
  );
  const rank = (r: T) => (r.pack_ref === packRef ? 0 : r.pack_ref === 'core' ? 1 : 2);
  return matches.sort((a, b) => rank(a) - rank(b) || a.id - b.id)[0];
}
