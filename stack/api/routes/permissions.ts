import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../common/db';
import { fault } from '../../common/faults';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { badRequest, conflict, notFound, ok } from '../http';
import { present, Row } from '../lookups';
import {
  arrayOf, bearer, dataOf, errors, idParams, nint, nobj, nstr, object, PermissionAssignment, PermissionSet, PermissionSetRole,
  str, WrappedSuccess,
} from '../openapi';
import { asJson, UpdateBuilder } from '../patch';

const tags = ['permissions'];

const SET_COLUMNS = 'ps.id, ps.ref, ps.pack, ps.pack_ref, ps.label, ps.description, ps.grants, ps.created, ps.updated';

async function rolesOfSets(db: Queryable, setIds: number[]): Promise<Map<number, Row[]>> {
  const out = new Map<number, Row[]>();
  if (setIds.length === 0) return out;
  const { rows } = await db.query(
    `SELECT psr.id, psr.permset AS permission_set_id, ps.ref AS permission_set_ref, psr.role, psr.created
       FROM permission_set_role_assignment psr JOIN permission_set ps ON ps.id = psr.permset
      WHERE psr.permset = ANY($1) ORDER BY psr.role`,
    [setIds],
  );
  for (const r of rows) {
    const list = out.get(r.permission_set_id) ?? [];
    list.push(present(r));
    out.set(r.permission_set_id, list);
  }
  return out;
}

async function withRoles(db: Queryable, sets: Row[]): Promise<Row[]> {
  const roles = await rolesOfSets(db, sets.map((s) => s.id as number));
  return sets.map((s) => ({ ...present(s), roles: roles.get(s.id as number) ?? [] }));
}

async function requireSet(db: Queryable, id: number): Promise<Row> {
  const { rows } = await db.query(`SELECT ${SET_COLUMNS} FROM permission_set ps WHERE ps.id = $1`, [id]);
  if (!rows[0]) throw notFound(`Permission set with ID ${id} not found`);
  return rows[0];
}

const grantSchema = object(
  {
    resource: { type: 'string', minLength: 1 },
    actions: { type: 'array', items: { type: 'string', minLength: 1 } },
    constraints: nobj,
  },
  ['resource', 'actions'],
);

interface AssignmentBody {
  identity_id?: number | null;
  identity_login?: string | null;
  permission_set_ref: string;
}

/** /api/v1/permissions: permission sets, their role bindings, and direct assignments (permissions:read/manage). */
export function registerPermissionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: { pack_ref?: string } }>('/api/v1/permissions/sets', {
    onRequest: auth,
    schema: {
      tags, summary: 'List permission sets (bare array)', security: bearer,
      querystring: object({ pack_ref: str }),
      response: { 200: { ...arrayOf(PermissionSet), description: 'List permission sets' }, ...errors(401, 403) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'read');
    const params: unknown[] = [];
    let where = 'TRUE';
    if (req.query.pack_ref) {
      params.push(req.query.pack_ref);
      where = `ps.pack_ref = $1`;
    }
    const { rows } = await ctx.pool.query(`SELECT ${SET_COLUMNS} FROM permission_set ps WHERE ${where} ORDER BY ps.ref`, params);
    return withRoles(ctx.pool, rows);
  });

  app.put<{ Params: { id: number }; Body: { grants: unknown[]; label?: string | null; description?: string | null } }>('/api/v1/permissions/sets/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Replace the grants (and optionally label/description) of a permission set', security: bearer,
      params: idParams(),
      body: object({ grants: arrayOf(grantSchema), label: nstr, description: nstr }, ['grants']),
      response: { 200: dataOf(PermissionSet, 'Permission set updated'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const set = await requireSet(ctx.pool, req.params.id);
    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      // fault permission-set-grants-appended: the new grants are added to the old ones instead of replacing them
      .set('grants', asJson(fault('permission-set-grants-appended') ? [...((set.grants as unknown[]) ?? []), ...req.body.grants] : req.body.grants), '::jsonb')
      .set('label', req.body.label ?? undefined)
      .set('description', req.body.description ?? undefined);
    params.push(set.id);
    await ctx.pool.query(`UPDATE permission_set SET ${upd.sql()} WHERE id = $${params.length}`, params);
    const [out] = await withRoles(ctx.pool, [await requireSet(ctx.pool, set.id as number)]);
    return ok(out, 'Permission set updated successfully');
  });

  app.post<{ Params: { id: number }; Body: { role: string } }>('/api/v1/permissions/sets/:id/roles', {
    onRequest: auth,
    schema: {
      tags, summary: 'Bind a role to a permission set', security: bearer, params: idParams(),
      body: object({ role: { type: 'string', minLength: 1, maxLength: 255 } }, ['role']),
      response: { 201: dataOf(PermissionSetRole, 'Permission set role assignment created'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const set = await requireSet(ctx.pool, req.params.id);
    const { rows } = await ctx.pool.query(
      `INSERT INTO permission_set_role_assignment (permset, role) VALUES ($1, $2)
       ON CONFLICT (permset, role) DO NOTHING
       RETURNING id, permset AS permission_set_id, role, created`,
      [set.id, req.body.role],
    );
    if (rows.length === 0) throw conflict(`Role '${req.body.role}' is already bound to permission set '${set.ref}'`);
    reply.code(201);
    return ok({ ...present(rows[0]), permission_set_ref: set.ref }, 'Role bound successfully');
  });

  app.delete<{ Params: { id: number } }>('/api/v1/permissions/sets/roles/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Remove a role binding (id = binding id)', security: bearer, params: idParams(),
      response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const { rowCount } = await ctx.pool.query('DELETE FROM permission_set_role_assignment WHERE id = $1', [req.params.id]);
    if (!rowCount) throw notFound(`Permission set role assignment with ID ${req.params.id} not found`);
    return ok({ success: true, message: 'Permission set role assignment deleted successfully' });
  });

  app.post<{ Body: AssignmentBody }>('/api/v1/permissions/assignments', {
    onRequest: auth,
    schema: {
      tags, summary: 'Assign a permission set to an identity (exactly one of identity_id / identity_login)', security: bearer,
      body: object({ identity_id: nint, identity_login: nstr, permission_set_ref: { type: 'string', minLength: 1 } }, ['permission_set_ref']),
      response: { 201: dataOf(PermissionAssignment, 'Permission assignment created'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const b = req.body;
    const byId = b.identity_id !== undefined && b.identity_id !== null;
    const byLogin = b.identity_login !== undefined && b.identity_login !== null;
    if (byId === byLogin) throw badRequest('Provide exactly one of identity_id or identity_login');
    const ident = byId
      ? (await ctx.pool.query('SELECT id FROM identity WHERE id = $1', [b.identity_id])).rows[0]
      : (await ctx.pool.query('SELECT id FROM identity WHERE login = $1', [b.identity_login])).rows[0];
    if (!ident) throw notFound(byId ? `Identity with ID ${b.identity_id} not found` : `Identity '${b.identity_login}' not found`);
    const set = (await ctx.pool.query('SELECT id, ref FROM permission_set WHERE ref = $1', [b.permission_set_ref])).rows[0];
    if (!set) throw notFound(`Permission set '${b.permission_set_ref}' not found`);
    const { rows } = await ctx.pool.query(
      `INSERT INTO permission_assignment (identity, permset) VALUES ($1, $2)
       ON CONFLICT (identity, permset) DO NOTHING
       RETURNING id, identity AS identity_id, permset AS permission_set_id, created`,
      [ident.id, set.id],
    );
    if (rows.length === 0) throw conflict(`Identity ${ident.id} already has permission set '${set.ref}'`);
    reply.code(201);
    return ok({ ...present(rows[0]), permission_set_ref: set.ref }, 'Permission set assigned successfully');
  });

  app.delete<{ Params: { id: number } }>('/api/v1/permissions/assignments/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Remove a permission-set assignment', security: bearer, params: idParams(),
      response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const { rowCount } = await ctx.pool.query('DELETE FROM permission_assignment WHERE id = $1', [req.params.id]);
    if (!rowCount) throw notFound(`Permission assignment with ID ${req.params.id} not found`);
    return ok({ success: true, message: 'Permission assignment deleted successfully' });
  });
}
