import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { withTransaction, type Queryable } from '../../common/db';
import { fault } from '../../common/faults';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { badRequest, conflict, notFound, ok, unprocessable } from '../http';
import { actionByRef, requirePack } from '../lookups';
import { mapStandaloneWorkflow, parseYamlDoc, type ActionFields } from '../pack-files';
import { ensureDir, packDirFor } from '../pack-storage';
import {
  bearer, bool, dataOf, errors, int, nobj, nstr, nstrArray, object, refParams, str, strArray, WorkflowResponse,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';
import { allowed, packReadableOr404, writableOr404 } from '../scope';
import { workflowDefinitionProblem, workflowStructureProblem } from '../workflow-checks';
import { actionTarget } from './actions';
import { presentWorkflow } from './workflows';

/**
 * Workflow files of a pack on disk (Attune 0.2.1): `actions/workflows/<name>.workflow.yaml`, written by the API
 * (POST /packs/{pack_ref}/workflow-files, PUT /workflows/{ref}/file) and read back by validate and sync; legacy
 * standalone files `workflows/<name>.yaml` are read too. A file holds the workflow's ref, label, description,
 * version, `parameters`, `output`, tags and the graph (vars, tasks, output_map, …) at the top level.
 */
const WORKFLOW_DIR = path.join('actions', 'workflows');
const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

const SaveWorkflowFileBody = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'file name without extension: {name}.workflow.yaml; the workflow ref is {pack_ref}.{name}' },
    label: { type: 'string', minLength: 1 },
    description: nstr,
    version: { type: 'string', minLength: 1, maxLength: 50 },
    pack_ref: { type: 'string', minLength: 1 },
    definition: { type: 'object', additionalProperties: true },
    param_schema: { ...nobj, default: null },
    out_schema: { ...nobj, default: null },
    tags: nstrArray,
    enabled: { type: ['boolean', 'null'] },
  },
  ['name', 'label', 'version', 'pack_ref', 'definition', 'param_schema', 'out_schema'],
);

interface SaveBody {
  name: string;
  label: string;
  description?: string | null;
  version: string;
  pack_ref: string;
  definition: Record<string, unknown>;
  param_schema?: Record<string, unknown> | null;
  out_schema?: Record<string, unknown> | null;
  tags?: string[] | null;
  enabled?: boolean | null;
}

const SyncResponse = object(
  {
    pack_ref: str, loaded_count: int, registered_count: int, errors: strArray,
    workflows: { type: 'array', items: object({ ref_name: str, created: bool, workflow_def_id: int, warnings: strArray }, ['ref_name', 'created', 'workflow_def_id', 'warnings']) },
  },
  ['pack_ref', 'loaded_count', 'registered_count', 'workflows', 'errors'],
);
const ValidationResponse = object(
  { pack_ref: str, validated_count: int, error_count: int, errors: { type: 'object', additionalProperties: strArray } },
  ['pack_ref', 'validated_count', 'error_count', 'errors'],
);

/** The workflow files of a pack folder (relative paths, sorted). */
function workflowFilesOf(dir: string): string[] {
  const out: string[] = [];
  for (const [sub, suffix] of [[WORKFLOW_DIR, '.workflow.yaml'], ['workflows', '.yaml']] as const) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names.sort()) if (n.endsWith(suffix) || (suffix === '.yaml' && n.endsWith('.yml'))) out.push(path.posix.join(sub.split(path.sep).join('/'), n));
  }
  return out;
}

interface LoadedFile {
  file: string;
  ref?: string;
  workflow?: ActionFields;
  problem?: string;
}

/** Each workflow file parsed and its graph checked (not its actions); a file that cannot be read names its problem. */
function loadWorkflowFiles(packRef: string, dir: string): LoadedFile[] {
  return workflowFilesOf(dir).map((file) => {
    const fallbackRef = `${packRef}.${path.posix.basename(file).replace(/\.workflow\.yaml$|\.ya?ml$/, '')}`;
    try {
      const doc = parseYamlDoc(file, fs.readFileSync(path.join(dir, file), 'utf8'));
      if (!doc) return { file, ref: fallbackRef, problem: `${file}: the file is empty` };
      const rawRef = typeof doc.ref === 'string' && doc.ref.trim() !== '' ? doc.ref : fallbackRef;
      const workflow = mapStandaloneWorkflow(packRef, file, doc, rawRef);
      return { file, ref: workflow.ref, workflow };
    } catch (err) {
      return { file, ref: fallbackRef, problem: err instanceof Error ? err.message : String(err) };
    }
  });
}

function fileDocument(packRef: string, b: SaveBody): Record<string, unknown> {
  const { version: _v, ...graph } = b.definition;
  return {
    ref: `${packRef}.${b.name}`,
    label: b.label,
    ...(b.description ? { description: b.description } : {}),
    version: b.version,
    ...(b.param_schema ? { parameters: b.param_schema } : {}),
    ...(b.out_schema ? { output: b.out_schema } : {}),
    ...(b.tags && b.tags.length ? { tags: b.tags } : {}),
    ...(b.enabled === false ? { enabled: false } : {}),
    ...graph,
  };
}

function writeWorkflowFile(packRef: string, name: string, doc: Record<string, unknown>): string {
  const dir = path.join(packDirFor(packRef), WORKFLOW_DIR);
  ensureDir(dir);
  const file = path.join(dir, `${name}.workflow.yaml`);
  // fault workflow-file-not-written: the file is answered as saved but never reaches the pack folder
  if (!fault('workflow-file-not-written')) fs.writeFileSync(file, toYaml(doc));
  return path.posix.join('actions/workflows', `${name}.workflow.yaml`);
}

interface WorkflowRowFields {
  ref: string;
  label: string;
  description: string | null;
  version: string;
  param_schema: unknown;
  out_schema: unknown;
  definition: unknown;
  tags: string[];
  entrypoint: string;
  enabled: boolean;
}

/** Inserts or updates the workflow definition and its companion action; the definition's id and whether it was new. */
async function upsertWorkflow(db: Queryable, pack: { id: number; ref: string }, w: WorkflowRowFields): Promise<{ id: number; created: boolean }> {
  const { rows } = await db.query(
    `INSERT INTO workflow_definition (ref, pack, pack_ref, label, description, version, param_schema, out_schema, definition, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::text[])
     ON CONFLICT (ref) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description, version = EXCLUDED.version,
       param_schema = EXCLUDED.param_schema, out_schema = EXCLUDED.out_schema, definition = EXCLUDED.definition, tags = EXCLUDED.tags
     RETURNING id, (xmax = 0) AS created`,
    [w.ref, pack.id, pack.ref, w.label, w.description, w.version, asJson(w.param_schema), asJson(w.out_schema), asJson(w.definition), w.tags],
  );
  const id = Number(rows[0].id);
  const params: unknown[] = [];
  const cols = new UpdateBuilder(params)
    .set('ref', w.ref)
    .set('pack', pack.id)
    .set('pack_ref', pack.ref)
    .set('label', w.label)
    .set('description', w.description ?? undefined)
    .set('entrypoint', w.entrypoint)
    .set('param_schema', w.param_schema == null ? undefined : asJson(w.param_schema), '::jsonb')
    .set('out_schema', w.out_schema == null ? undefined : asJson(w.out_schema), '::jsonb')
    .set('workflow_def', id)
    .set('enabled', w.enabled);
  await db.query(
    `INSERT INTO action ${cols.insertSql()}
     ON CONFLICT (ref) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description, entrypoint = EXCLUDED.entrypoint,
       param_schema = EXCLUDED.param_schema, out_schema = EXCLUDED.out_schema, workflow_def = EXCLUDED.workflow_def, enabled = EXCLUDED.enabled`,
    params,
  );
  // fault workflow-sync-reports-created: every registration is reported as a new workflow, updates included
  return { id, created: rows[0].created === true || fault('workflow-sync-reports-created') };
}

/** /api/v1/packs/{ref}/workflow-files, /api/v1/workflows/{ref}/file, /api/v1/packs/{ref}/workflows/{validate,sync}. */
export function registerWorkflowFileRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  /** 422 naming the task when the engine could never run the definition or an action is missing/invisible. */
  const problemOf = (req: FastifyRequest, definition: unknown) =>
    workflowDefinitionProblem(definition, async (ref) => {
      const row = await actionByRef(ctx.pool, ref);
      return !!row && (await allowed(ctx, req, 'actions', 'read', actionTarget(row)));
    });

  const rowFields = (packRef: string, b: SaveBody, file: string): WorkflowRowFields => ({
    ref: `${packRef}.${b.name}`,
    label: b.label,
    description: b.description ?? null,
    version: b.version,
    param_schema: b.param_schema ?? null,
    out_schema: b.out_schema ?? null,
    definition: { ...b.definition, version: b.definition.version ?? b.version },
    tags: Array.isArray(b.tags) ? b.tags : [],
    entrypoint: file,
    enabled: b.enabled !== false,
  });

  async function checkBody(req: FastifyRequest, b: SaveBody): Promise<void> {
    if (!NAME_RE.test(b.name)) throw badRequest(`name: '${b.name}' must be lower-case letters, digits, '_' or '-'`);
    const problem = await problemOf(req, { ...b.definition, version: b.definition.version ?? b.version });
    if (problem) throw unprocessable(problem);
  }

  app.post<{ Params: { pack_ref: string }; Body: SaveBody }>('/api/v1/packs/:pack_ref/workflow-files', {
    onRequest: auth,
    schema: {
      tags: ['workflows'], summary: 'Save a workflow file to the pack folder and register it (workflow and companion action)', security: bearer,
      description: 'Writes actions/workflows/{name}.workflow.yaml. The definition is checked as on POST /api/v1/workflows (422 naming the task, nothing written).',
      params: refParams('pack_ref'), body: SaveWorkflowFileBody,
      response: { 201: dataOf(WorkflowResponse, 'Workflow file saved and synced'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    const b = req.body;
    if (b.pack_ref !== req.params.pack_ref) throw badRequest(`pack_ref '${b.pack_ref}' does not match the path's pack '${req.params.pack_ref}'`);
    const pack = await requirePack(ctx.pool, req.params.pack_ref);
    await packReadableOr404(ctx, req, pack);
    const ref = `${pack.ref}.${b.name}`;
    await authorize(ctx, req, 'workflows', 'create', { pack_ref: pack.ref, owner: pack.installed_by, ref });
    await checkBody(req, b);
    const { rows } = await ctx.pool.query('SELECT 1 FROM workflow_definition WHERE ref = $1 UNION ALL SELECT 1 FROM action WHERE ref = $1', [ref]);
    if (rows.length) throw conflict(`Workflow with ref '${ref}' already exists`);
    const file = writeWorkflowFile(pack.ref, b.name, fileDocument(pack.ref, b));
    await withTransaction(ctx.pool, (c) => upsertWorkflow(c, pack, rowFields(pack.ref, b, file)));
    reply.code(201);
    const { rows: saved } = await ctx.pool.query('SELECT * FROM workflow_definition WHERE ref = $1', [ref]);
    return ok(presentWorkflow(saved[0]), 'Workflow file saved and synced successfully');
  });

  app.put<{ Params: { ref: string }; Body: SaveBody }>('/api/v1/workflows/:ref/file', {
    onRequest: auth,
    schema: {
      tags: ['workflows'], summary: 'Rewrite a workflow\'s file in its pack folder and register the change', security: bearer,
      params: refParams(), body: SaveWorkflowFileBody,
      response: { 200: dataOf(WorkflowResponse, 'Workflow file updated and synced'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const { rows } = await ctx.pool.query(
      'SELECT wd.*, p.installed_by AS _owner FROM workflow_definition wd JOIN pack p ON p.id = wd.pack WHERE wd.ref = $1',
      [req.params.ref],
    );
    const current = rows[0];
    const missing = `Workflow '${req.params.ref}' not found`;
    if (!current) throw notFound(missing);
    await writableOr404(ctx, req, 'workflows', 'update', { pack_ref: current.pack_ref, owner: current._owner ?? null, ref: current.ref, id: current.id }, missing);
    const b = req.body;
    if (b.pack_ref !== current.pack_ref || `${b.pack_ref}.${b.name}` !== current.ref) {
      throw badRequest(`pack_ref and name must name the workflow '${current.ref}'`);
    }
    await checkBody(req, b);
    const pack = await requirePack(ctx.pool, current.pack_ref);
    const file = writeWorkflowFile(pack.ref, b.name, fileDocument(pack.ref, b));
    const fields = rowFields(pack.ref, b, file);
    // fault workflow-file-update-keeps-definition: the file is rewritten but the stored graph stays the old one
    if (fault('workflow-file-update-keeps-definition')) fields.definition = current.definition;
    await withTransaction(ctx.pool, (c) => upsertWorkflow(c, pack, fields));
    const { rows: saved } = await ctx.pool.query('SELECT * FROM workflow_definition WHERE ref = $1', [current.ref]);
    return ok(presentWorkflow(saved[0]), 'Workflow file updated and synced successfully');
  });

  app.post<{ Params: { ref: string } }>('/api/v1/packs/:ref/workflows/validate', {
    onRequest: auth,
    schema: {
      tags: ['packs'], summary: 'Check the workflow files of a pack folder without registering anything', security: bearer,
      description: 'Each file is parsed and its graph checked; the actions its tasks name must exist and be visible to the caller.',
      params: refParams(), response: { 200: dataOf(ValidationResponse, 'Workflows validated'), ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const pack = await requirePack(ctx.pool, req.params.ref);
    await packReadableOr404(ctx, req, pack);
    const loaded = loadWorkflowFiles(pack.ref, packDirFor(pack.ref));
    const errs: Record<string, string[]> = {};
    for (const f of loaded) {
      let problem = f.problem ?? null;
      if (!problem && f.workflow?.workflow) {
        const def = f.workflow.workflow.definition;
        // fault workflow-validate-skips-actions: only the graph is checked, a task naming a missing action passes
        problem = fault('workflow-validate-skips-actions') ? workflowStructureProblem(def) : await problemOf(req, def);
      }
      if (problem) errs[f.ref ?? f.file] = [problem];
    }
    return ok({ pack_ref: pack.ref, validated_count: loaded.length, error_count: Object.keys(errs).length, errors: errs });
  });

  app.post<{ Params: { ref: string } }>('/api/v1/packs/:ref/workflows/sync', {
    onRequest: auth,
    schema: {
      tags: ['packs'], summary: 'Register the workflow files of a pack folder (create or update each workflow and its action)', security: bearer,
      params: refParams(), response: { 200: dataOf(SyncResponse, 'Workflows synced successfully'), ...errors(401, 403, 404) },
    },
  }, async (req) => {
    const pack = await requirePack(ctx.pool, req.params.ref);
    await writableOr404(ctx, req, 'packs', 'update', { pack_ref: pack.ref, owner: pack.installed_by, ref: pack.ref, id: pack.id }, `Pack '${pack.ref}' not found`);
    const loaded = loadWorkflowFiles(pack.ref, packDirFor(pack.ref));
    const results: Array<{ ref_name: string; created: boolean; workflow_def_id: number; warnings: string[] }> = [];
    const errs: string[] = [];
    for (const f of loaded) {
      const w = f.workflow?.workflow;
      if (!w || f.problem) {
        errs.push(f.problem ?? `${f.file}: not a workflow`);
        continue;
      }
      const problem = await problemOf(req, w.definition);
      if (problem) {
        errs.push(`${f.ref}: ${problem}`);
        continue;
      }
      const { id, created } = await withTransaction(ctx.pool, (c) =>
        upsertWorkflow(c, pack, {
          ref: w.ref, label: w.label, description: w.description, version: w.version, param_schema: w.param_schema, out_schema: w.out_schema,
          definition: w.definition, tags: w.tags, entrypoint: f.file, enabled: f.workflow?.enabled !== false,
        }),
      );
      results.push({ ref_name: w.ref, created, workflow_def_id: id, warnings: [] });
    }
    return ok({ pack_ref: pack.ref, loaded_count: loaded.length, registered_count: results.length, workflows: results, errors: errs });
  });
}


