/**
 * Loading a pack folder into the database (the pure YAML → rows part lives in pack-files.ts).
 *
 * One transaction per load, in Attune's order: pack → permission sets → runtimes → triggers →
 * actions (+ workflow definitions) → policies → rules → sensors; every component is upserted by
 * ref (ids preserved), then the rows whose refs left the YAML are retired (API-created ad-hoc rows
 * are kept). Nothing is published here: the caller publishes after the commit.
 */
import * as path from 'node:path';
import type { Pool, Client } from '../common/db';
import { withTransaction } from '../common/db';
import type { Logger } from '../common/log';
import { fault } from '../common/faults';
import { stackRoot } from '../common/paths';
import { ApiError, badRequest, conflict, fromPgError } from './http';
import type { ApiContext } from './context';
import {
  ActionFields,
  Json,
  ParsedPack,
  RuntimeCandidate,
  parsePack,
  readPackFiles,
  resolveRunnerType,
} from './pack-files';
import { ensureDir, packDirFor, syncDir } from './pack-storage';
import { stringifyExact } from '../common/exact-json';

export interface PackRow {
  id: number;
  ref: string;
  label: string;
  description: string | null;
  version: string;
  conf_schema: Record<string, unknown>;
  config: Record<string, unknown>;
  meta: Record<string, unknown>;
  tags: string[];
  runtime_deps: string[];
  dependencies: string[];
  is_standard: boolean;
  installed_at: Date | null;
  installed_by: number | null;
  installation_method: string | null;
  storage_path: string | null;
  source_type: string | null;
  source_url: string | null;
  created: Date;
  updated: Date;
  [column: string]: unknown;
}

export interface LoaderContext {
  pool: Pool;
  log: Logger;
}

export interface LoadOptions {
  /** Owner of the pack (pack.installed_by); kept when the pack already has one. */
  installedBy: number | null;
  /** Replace an existing pack of the same ref (otherwise 409). */
  force: boolean;
  /** pack.is_standard (default false: packs loaded through the API are never standard). */
  isStandard?: boolean;
  /** Recorded in pack.installation_method: builtin | upload | local | local_copy | … */
  installationMethod?: string | null;
  /** Recorded in pack.storage_path (defaults to the loaded folder). */
  storagePath?: string | null;
  sourceType?: string | null;
  sourceUrl?: string | null;
}

export interface RetiredRule {
  rule_id: number;
  rule_ref: string;
  trigger_id: number | null;
  trigger_ref: string;
}

export interface PackLoadResult {
  pack: PackRow;
  /** True when the pack row was inserted by this load. */
  created: boolean;
  /** Rules deleted because they left the YAML (publish RuleDeleted for each after the commit). */
  retiredRules: RetiredRule[];
  /** Lower-case names of the runtimes the pack's actions and sensors use (PackRegistered). */
  runtimeNames: string[];
  warnings: string[];
}

/** Advisory lock keys (two-int form, separate from the single-bigint migration lock). */
export const PACK_LOAD_XACT_LOCK = 78210020;
export const PACK_FILES_LOCK = 78210021;

// ------------------------------------------------------------------------------------------------
// Entry points
// ------------------------------------------------------------------------------------------------

/** Reads, validates and writes the pack folder `dir`; returns the pack row. */
export async function loadPackFromDir(ctx: ApiContext | LoaderContext, dir: string, opts: LoadOptions): Promise<PackRow> {
  return (await loadPack(ctx, dir, opts)).pack;
}

/** Like loadPackFromDir, with what the caller needs to publish afterwards. */
export async function loadPack(ctx: ApiContext | LoaderContext, dir: string, opts: LoadOptions): Promise<PackLoadResult> {
  const parsed = parsePack(readPackFiles(dir));
  const result = await withTransaction(ctx.pool, (client) =>
    writeParsedPack(client, parsed, { ...opts, storagePath: opts.storagePath ?? path.resolve(dir) }),
  );
  for (const w of result.warnings) ctx.log.warn({ pack: parsed.pack.ref }, `pack loader: ${w}`);
  ctx.log.info(
    { pack: result.pack.ref, pack_id: result.pack.id, created: result.created, retired_rules: result.retiredRules.length },
    'pack loaded',
  );
  return result;
}

/**
 * Runs `fn` while holding a session advisory lock for one pack ref (serialises file moves and
 * loads of the same pack across requests and processes).
 */
export async function withPackLock<T>(pool: Pool, ref: string, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [PACK_FILES_LOCK, ref]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [PACK_FILES_LOCK, ref]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** The built-in pack's source folder. */
export const CORE_PACK_SOURCE = path.join(stackRoot, 'packs', 'core');

/**
 * Copies stack/packs/core into `<packs_base_dir>/core` (file by file, modes kept) and loads it as
 * the standard, owner-less `core` pack. Idempotent; concurrent callers are serialised.
 */
export async function loadCorePack(ctx: ApiContext | LoaderContext): Promise<PackRow> {
  const dest = packDirFor('core');
  return withPackLock(ctx.pool, 'core', async () => {
    ensureDir(path.dirname(dest));
    const changed = syncDir(CORE_PACK_SOURCE, dest);
    if (changed > 0) ctx.log.info({ dest, changed }, 'core pack files copied');
    return loadPackFromDir(ctx, dest, {
      installedBy: null,
      force: true,
      isStandard: true,
      installationMethod: 'builtin',
      storagePath: dest,
      sourceType: 'builtin',
      sourceUrl: null,
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------

/** A JSONB parameter (null → SQL NULL). */
class JsonbValue {
  constructor(readonly value: Json | Record<string, unknown> | unknown[] | null) {}
}
const jsonb = (v: Json | Record<string, unknown> | unknown[] | null | undefined) => new JsonbValue(v ?? null);

type Row = Record<string, unknown>;

/** Turns database errors into 4xx answers that name the file. */
async function guard<T>(file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const mapped = fromPgError(err);
    if (mapped) {
      const detail = (err as { detail?: string }).detail;
      const text = `${file}: ${mapped.message}${detail ? ` (${detail})` : ''}`;
      throw mapped.status === 409 ? conflict(text) : badRequest(text);
    }
    throw err;
  }
}

/**
 * INSERT … ON CONFLICT (ref) DO UPDATE for a pack-owned table. The update only happens when the
 * existing row belongs to the same pack (or to none); otherwise the ref is another pack's → 409.
 */
async function upsertByRef(
  client: Client,
  table: string,
  row: Row,
  opts: { file: string; kind: string; updateExpr?: Record<string, string> },
): Promise<number> {
  const cols = Object.keys(row);
  const params: unknown[] = [];
  const values = cols.map((c) => {
    const v = row[c];
    if (v instanceof JsonbValue) {
      params.push(v.value === null ? null : stringifyExact(v.value));
      return `$${params.length}::jsonb`;
    }
    params.push(v);
    return `$${params.length}`;
  });
  const sets = cols
    .filter((c) => c !== 'ref')
    .map((c) => `${c} = ${opts.updateExpr?.[c] ?? `EXCLUDED.${c}`}`)
    .join(', ');
  const sql = `INSERT INTO "${table}" (${cols.join(', ')}) VALUES (${values.join(', ')})
    ON CONFLICT (ref) DO UPDATE SET ${sets}
    WHERE "${table}".pack IS NULL OR "${table}".pack = EXCLUDED.pack
    RETURNING id`;
  const res = await guard(opts.file, () => client.query(sql, params));
  if (res.rowCount === 0) throw conflict(`${opts.file}: ${opts.kind} '${String(row.ref)}' already exists in another pack`);
  return Number(res.rows[0].id);
}

/** Writes a parsed pack inside the caller's transaction. */
export async function writeParsedPack(client: Client, parsed: ParsedPack, opts: LoadOptions): Promise<PackLoadResult> {
  const warnings = [...parsed.warnings];
  const p = parsed.pack;
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PACK_LOAD_XACT_LOCK, p.ref]);
  const existing = (await client.query('SELECT id FROM pack WHERE ref = $1 FOR UPDATE', [p.ref])).rows[0] as Row | undefined;
  if (existing && !opts.force) throw conflict(`Pack with ref '${p.ref}' already exists (use force=true to replace it)`);

  const packParams = [
    p.label,
    p.description,
    p.version,
    stringifyExact(p.conf_schema),
    stringifyExact(p.config),
    stringifyExact(p.meta),
    p.tags,
    p.runtime_deps,
    p.dependencies,
    opts.isStandard ?? false,
    opts.installedBy,
    opts.installationMethod ?? null,
    opts.storagePath ?? null,
    opts.sourceType ?? null,
    opts.sourceUrl ?? null,
  ];
  let pack: PackRow;
  if (existing) {
    // user configuration values survive a re-registration; new keys from the YAML are added
    pack = (
      await guard('pack.yaml', () =>
        client.query(
          `UPDATE pack SET label = $2, description = $3, version = $4, conf_schema = $5::jsonb,
                  config = $6::jsonb || config, meta = $7::jsonb, tags = $8, runtime_deps = $9, dependencies = $10,
                  is_standard = $11, installed_by = COALESCE(installed_by, $12), installed_at = now(),
                  installation_method = COALESCE($13, installation_method), storage_path = COALESCE($14, storage_path),
                  source_type = COALESCE($15, source_type), source_url = COALESCE($16, source_url)
            WHERE id = $1 RETURNING *`,
          [existing.id, ...packParams],
        ),
      )
    ).rows[0] as PackRow;
  } else {
    pack = (
      await guard('pack.yaml', () =>
        client.query(
          `INSERT INTO pack (ref, label, description, version, conf_schema, config, meta, tags, runtime_deps, dependencies,
                             is_standard, installed_by, installation_method, storage_path, source_type, source_url, installed_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, now())
           RETURNING *`,
          [p.ref, ...packParams],
        ),
      )
    ).rows[0] as PackRow;
  }
  const packId = pack.id;
  const owned = { pack: packId, pack_ref: p.ref };

  // permission sets
  for (const ps of parsed.permissionSets) {
    await upsertByRef(
      client,
      'permission_set',
      { ref: ps.ref, ...owned, label: ps.label, description: ps.description, grants: jsonb(ps.grants) },
      { file: ps.file, kind: 'permission set' },
    );
  }

  // runtimes (+ versions)
  for (const rt of parsed.runtimes) {
    const runtimeId = await upsertByRef(
      client,
      'runtime',
      {
        ref: rt.ref,
        ...owned,
        description: rt.description,
        name: rt.name,
        aliases: rt.aliases,
        distributions: jsonb(rt.distributions),
        installation: jsonb(rt.installation),
        execution_config: jsonb(rt.execution_config),
      },
      { file: rt.file, kind: 'runtime' },
    );
    for (const v of rt.versions) {
      await guard(rt.file, () =>
        client.query(
          `INSERT INTO runtime_version (runtime, runtime_ref, version, version_major, version_minor, version_patch,
                                       execution_config, distributions, is_default, available, meta)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11::jsonb)
           ON CONFLICT (runtime, version) DO UPDATE SET runtime_ref = EXCLUDED.runtime_ref,
             version_major = EXCLUDED.version_major, version_minor = EXCLUDED.version_minor,
             version_patch = EXCLUDED.version_patch, execution_config = EXCLUDED.execution_config,
             distributions = EXCLUDED.distributions, is_default = EXCLUDED.is_default, meta = EXCLUDED.meta`,
          [
            runtimeId, rt.ref, v.version, v.version_major, v.version_minor, v.version_patch,
            stringifyExact(v.execution_config), stringifyExact(v.distributions), v.is_default, v.available, stringifyExact(v.meta),
          ],
        ),
      );
    }
    await client.query('DELETE FROM runtime_version WHERE runtime = $1 AND NOT (version = ANY($2::text[]))', [
      runtimeId,
      rt.versions.map((v) => v.version),
    ]);
  }

  // triggers (webhook settings and the sensor back-link are left alone)
  for (const t of parsed.triggers) {
    await upsertByRef(
      client,
      'trigger',
      {
        ref: t.ref,
        ...owned,
        label: t.label,
        description: t.description,
        enabled: t.enabled,
        is_adhoc: false,
        param_schema: jsonb(t.param_schema),
        out_schema: jsonb(t.out_schema),
      },
      { file: t.file, kind: 'trigger' },
    );
  }

  // actions (+ workflow definitions)
  const runtimes = (await client.query('SELECT id, ref, name, aliases, pack_ref FROM runtime ORDER BY id')).rows as RuntimeCandidate[];
  for (const a of parsed.actions) await writeAction(client, a, owned, runtimes, p.ref, warnings);

  // policies
  for (const pol of parsed.policies) {
    let actionId: number | null = null;
    if (pol.action_ref) {
      actionId = ((await client.query('SELECT id FROM action WHERE ref = $1', [pol.action_ref])).rows[0]?.id as number) ?? null;
      if (actionId === null) warnings.push(`${pol.file}: action '${pol.action_ref}' does not exist; the policy is stored without it`);
    }
    const scoped = pol.scope === 'global' ? { pack: null, pack_ref: null } : owned;
    await upsertByRef(
      client,
      'policy',
      {
        ref: pol.ref,
        ...scoped,
        action: actionId,
        action_ref: pol.action_ref,
        parameters: pol.parameters,
        method: pol.method,
        threshold: pol.threshold,
        name: pol.name,
        description: pol.description,
        tags: pol.tags,
        enabled: pol.enabled,
        priority: pol.priority,
        rate_limit_max_executions: pol.rate_limit_max_executions,
        rate_limit_window_seconds: pol.rate_limit_window_seconds,
        quotas: jsonb(pol.quotas),
      },
      { file: pol.file, kind: 'policy' },
    );
  }

  // rules (owned by the pack's owner, so tenants see the rules their packs bring)
  for (const r of parsed.rules) {
    const triggerId = ((await client.query('SELECT id FROM "trigger" WHERE ref = $1', [r.trigger_ref])).rows[0]?.id as number) ?? null;
    const actionId = ((await client.query('SELECT id FROM action WHERE ref = $1', [r.action_ref])).rows[0]?.id as number) ?? null;
    if (triggerId === null) warnings.push(`${r.file}: trigger '${r.trigger_ref}' does not exist yet`);
    if (actionId === null) warnings.push(`${r.file}: action '${r.action_ref}' does not exist yet; the rule stays inert`);
    await upsertByRef(
      client,
      'rule',
      {
        ref: r.ref,
        ...owned,
        label: r.label,
        description: r.description,
        action: actionId,
        action_ref: r.action_ref,
        trigger: triggerId,
        trigger_ref: r.trigger_ref,
        conditions: jsonb(r.conditions),
        action_params: jsonb(r.action_params),
        trigger_params: jsonb(r.trigger_params),
        enabled: r.enabled,
        is_adhoc: false,
        owner_identity: pack.installed_by,
        permission_set_refs: r.permission_set_refs,
        trace_tag_template: r.trace_tag_template,
      },
      { file: r.file, kind: 'rule', updateExpr: { owner_identity: 'COALESCE(rule.owner_identity, EXCLUDED.owner_identity)' } },
    );
  }

  // sensors (+ trigger back-links within this pack)
  const sensorIds: number[] = [];
  for (const s of parsed.sensors) {
    const runtime = resolveRunnerType(s.runner_type, runtimes, p.ref);
    if (!runtime) throw badRequest(`${s.file}: runner_type '${s.runner_type}' does not name a known runtime`);
    const sensorId = await upsertByRef(
      client,
      'sensor',
      {
        ref: s.ref,
        ...owned,
        label: s.label,
        description: s.description,
        entrypoint: s.entrypoint,
        runtime: runtime.id,
        runtime_ref: runtime.ref,
        enabled: s.enabled,
        is_adhoc: false,
        param_schema: jsonb(s.param_schema),
        config: jsonb(s.config),
        runtime_version_constraint: s.runtime_version_constraint,
        worker_selector: jsonb(s.worker_selector),
        worker_tolerations: jsonb(s.worker_tolerations),
        worker_affinity: jsonb(s.worker_affinity),
      },
      { file: s.file, kind: 'sensor' },
    );
    sensorIds.push(sensorId);
    await client.query('UPDATE "trigger" SET sensor = NULL, sensor_ref = NULL WHERE pack = $1 AND sensor = $2', [packId, sensorId]);
    const linked = await client.query(
      'UPDATE "trigger" SET sensor = $1, sensor_ref = $2 WHERE pack = $3 AND ref = ANY($4::text[]) RETURNING ref',
      [sensorId, s.ref, packId, s.trigger_types],
    );
    const linkedRefs = new Set(linked.rows.map((x) => x.ref as string));
    for (const t of s.trigger_types) {
      if (!linkedRefs.has(t)) warnings.push(`${s.file}: trigger type '${t}' is not a trigger of this pack; not linked`);
    }
  }

  // retire what left the YAML (ad-hoc rows created through the API stay)
  const refs = (list: Array<{ ref: string }>) => list.map((x) => x.ref);
  const retired = await client.query(
    `DELETE FROM rule WHERE pack = $1 AND NOT is_adhoc AND NOT (ref = ANY($2::text[]))
     RETURNING id, ref, "trigger", trigger_ref`,
    [packId, refs(parsed.rules)],
  );
  const retiredRules: RetiredRule[] = retired.rows.map((r) => ({
    rule_id: Number(r.id),
    rule_ref: r.ref as string,
    trigger_id: r.trigger === null ? null : Number(r.trigger),
    trigger_ref: r.trigger_ref as string,
  }));
  await client.query(
    `DELETE FROM policy WHERE (pack = $1 OR split_part(ref, '.', 1) = $3) AND NOT (ref = ANY($2::text[]))`,
    [packId, refs(parsed.policies), p.ref],
  );
  await client.query('DELETE FROM sensor WHERE pack = $1 AND NOT is_adhoc AND NOT (ref = ANY($2::text[]))', [packId, refs(parsed.sensors)]);
  await client.query('DELETE FROM action WHERE pack = $1 AND NOT is_adhoc AND NOT (ref = ANY($2::text[]))', [packId, refs(parsed.actions)]);
  await client.query(
    `DELETE FROM workflow_definition wd WHERE wd.pack = $1 AND NOT (wd.ref = ANY($2::text[]))
       AND NOT EXISTS (SELECT 1 FROM action a WHERE a.workflow_def = wd.id AND a.is_adhoc)`,
    [packId, parsed.actions.filter((a) => a.workflow).map((a) => a.ref)],
  );
  await client.query('DELETE FROM "trigger" WHERE pack = $1 AND NOT is_adhoc AND NOT (ref = ANY($2::text[]))', [packId, refs(parsed.triggers)]);
  await client.query('DELETE FROM runtime WHERE pack = $1 AND NOT (ref = ANY($2::text[]))', [packId, refs(parsed.runtimes)]);
  await client.query('DELETE FROM permission_set WHERE pack = $1 AND NOT (ref = ANY($2::text[]))', [packId, refs(parsed.permissionSets)]);

  const names = await client.query(
    `SELECT DISTINCT lower(r.name) AS name FROM runtime r
      WHERE r.id IN (SELECT runtime FROM action WHERE pack = $1 AND runtime IS NOT NULL
                     UNION SELECT runtime FROM sensor WHERE pack = $1)
      ORDER BY 1`,
    [packId],
  );
  return {
    pack,
    created: !existing,
    retiredRules,
    runtimeNames: names.rows.map((r) => r.name as string),
    warnings,
  };
}

async function writeAction(
  client: Client,
  a: ActionFields,
  owned: { pack: number; pack_ref: string },
  runtimes: RuntimeCandidate[],
  packRef: string,
  warnings: string[],
): Promise<void> {
  // fault pack-workflows-skipped: a YAML workflow (and its companion action) is never written
  if (a.workflow && fault('pack-workflows-skipped')) return;
  let workflowDef: number | null = null;
  if (a.workflow) {
    const w = a.workflow;
    workflowDef = await upsertByRef(
      client,
      'workflow_definition',
      {
        ref: w.ref,
        ...owned,
        label: w.label,
        description: w.description,
        version: w.version,
        param_schema: jsonb(w.param_schema),
        out_schema: jsonb(w.out_schema),
        definition: jsonb(w.definition),
        tags: w.tags,
      },
      { file: w.file, kind: 'workflow' },
    );
  }
  let runtime: RuntimeCandidate | undefined;
  if (a.runner_type !== null) {
    runtime = resolveRunnerType(a.runner_type, runtimes, packRef);
    if (!runtime) warnings.push(`${a.file}: runner_type '${a.runner_type}' does not name a known runtime; the action has no runtime`);
  }
  await upsertByRef(
    client,
    'action',
    {
      ref: a.ref,
      ...owned,
      label: a.label,
      description: a.description,
      entrypoint: a.entrypoint,
      runtime: runtime?.id ?? null,
      runtime_version_constraint: a.runtime_version_constraint,
      enabled: a.enabled,
      param_schema: jsonb(a.param_schema),
      out_schema: jsonb(a.out_schema),
      parameter_delivery: a.parameter_delivery,
      parameter_format: a.parameter_format,
      output_format: a.output_format,
      is_adhoc: false,
      timeout_seconds: a.timeout_seconds,
      max_retries: a.max_retries,
      workflow_def: workflowDef,
      required_worker_runtimes: jsonb(a.required_worker_runtimes),
      worker_selector: jsonb(a.worker_selector),
      worker_tolerations: jsonb(a.worker_tolerations),
      worker_affinity: jsonb(a.worker_affinity),
      default_execution_permission_set_refs: a.default_execution_permission_set_refs,
      accesses_mcp: a.accesses_mcp,
      reference_visibility: a.reference_visibility,
      reference_allowed_pack_refs: a.reference_allowed_pack_refs,
    },
    { file: a.file, kind: 'action' },
  );
}
