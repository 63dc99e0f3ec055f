import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../common/db';
import { hashPassword } from '../../common/passwords';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { fault } from '../../common/faults';
import { guard, principalOf } from '../guards';
import { conflict, notFound, ok, pageOf, parsePaging } from '../http';
import { present, requireIdentity, Row } from '../lookups';
import {
  arrayOf, bearer, dataOf, errors, idParams, IdentityResponse, IdentitySummary, object, pageQuery, pageSchema,
  PermissionAssignment, RoleAssignment, WrappedSuccess,
} from '../openapi';
import { listScope } from '../scope';
import { asJson, UpdateBuilder } from '../patch';

const tags = ['permissions'];

export async function roleAssignmentsOf(db: Queryable, identityId: number): Promise<Row[]> {
  const { rows } = await db.query(
    `SELECT id, identity AS identity_id, role, source, managed, created, updated
       FROM identity_role_assignment WHERE identity = $1 ORDER BY role`,
    [identityId],
  );
  return rows.map((r) => present(r));
}

export async function directPermissionsOf(db: Queryable, identityId: number): Promise<Row[]> {
  const { rows } = await db.query(
    `SELECT pa.id, pa.identity AS identity_id, pa.permset AS permission_set_id, ps.ref AS permission_set_ref, pa.created
       FROM permission_assignment pa JOIN permission_set ps ON ps.id = pa.permset
      WHERE pa.identity = $1 ORDER BY ps.ref`,
    [identityId],
  );
  return rows.map((r) => present(r));
}

/** IdentityResponse: the identity with its role assignments and direct permission-set assignments. */
export async function identityResponse(db: Queryable, row: Row): Promise<Row> {
  const id = row.id as number;
  return {
    ...present(row, ['password_hash']),
    roles: await roleAssignmentsOf(db, id),
    direct_permissions: await directPermissionsOf(db, id),
  };
}

const identityTarget = (row: Row) => ({ id: row.id as number, owner: row.id as number, ref: row.login as string });

interface CreateIdentityBody {
  login: string;
  display_name?: string | null;
  password?: string | null;
  attributes?: Record<string, unknown> | null;
}

interface UpdateIdentityBody {
  display_name?: string | null;
  password?: string | null;
  attributes?: Record<string, unknown> | null;
  frozen?: boolean | null;
}

/** /api/v1/identities: identity administration and role assignments (RBAC: identities:*, permissions:manage). */
export function registerIdentityRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Querystring: Record<string, unknown> }>('/api/v1/identities', {
    onRequest: auth,
    schema: {
      tags, summary: 'List identities', security: bearer,
      querystring: object(pageQuery),
      response: { 200: pageSchema(IdentitySummary, 'List identities'), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const paging = parsePaging(req.query, 50);
    const params: unknown[] = [];
    const scope = await listScope(ctx, req, 'identities', params, { forbidWhenNone: true });
    const total = Number((await ctx.pool.query(`SELECT count(*) AS n FROM identity WHERE ${scope}`, params)).rows[0].n);
    const { rows } = await ctx.pool.query(
      `SELECT identity.id, identity.login, identity.display_name, identity.frozen, identity.attributes, identity.created, identity.updated,
              COALESCE((SELECT array_agg(ira.role ORDER BY ira.role) FROM identity_role_assignment ira WHERE ira.identity = identity.id), '{}') AS roles
         FROM identity WHERE ${scope}
        ORDER BY identity.login LIMIT ${paging.limit} OFFSET ${paging.offset}`,
      params,
    );
    return pageOf(rows.map((r) => present(r)), paging, total);
  });

  app.get<{ Params: { id: number } }>('/api/v1/identities/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Get an identity', security: bearer, params: idParams(),
      response: { 200: dataOf(IdentityResponse, 'Identity details'), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const row = await requireIdentity(ctx.pool, req.params.id);
    await authorize(ctx, req, 'identities', 'read', identityTarget(row));
    return ok(await identityResponse(ctx.pool, row));
  });

  app.post<{ Body: CreateIdentityBody }>('/api/v1/identities', {
    onRequest: auth,
    schema: {
      tags, summary: 'Create an identity', security: bearer,
      body: object(
        {
          login: { type: 'string', minLength: 3, maxLength: 255 },
          display_name: { type: ['string', 'null'], maxLength: 255 },
          password: { type: ['string', 'null'], minLength: 8, maxLength: 128 },
          attributes: { type: ['object', 'null'], additionalProperties: true },
        },
        ['login'],
      ),
      response: { 201: dataOf(IdentityResponse, 'Identity created'), ...errors(401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    await authorize(ctx, req, 'identities', 'create', { ref: req.body.login });
    const b = req.body;
    const hash = b.password ? await hashPassword(b.password) : null;
    const { rows } = await ctx.pool.query(
      `INSERT INTO identity (login, display_name, password_hash, attributes) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (login) DO NOTHING RETURNING *`,
      [b.login, b.display_name ?? null, hash, asJson(b.attributes ?? {})],
    );
    if (rows.length === 0) throw conflict(`Identity with login '${b.login}' already exists`);
    reply.code(201);
    return ok(await identityResponse(ctx.pool, rows[0]), 'Identity created successfully');
  });

  app.put<{ Params: { id: number }; Body: UpdateIdentityBody | null }>('/api/v1/identities/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Update an identity', security: bearer, params: idParams(),
      body: object(
        {
          display_name: { type: ['string', 'null'], maxLength: 255 },
          password: { type: ['string', 'null'], minLength: 8, maxLength: 128 },
          attributes: { type: ['object', 'null'], additionalProperties: true },
          frozen: { type: ['boolean', 'null'] },
        },
        [],
        { type: ['object', 'null'] },
      ),
      response: { 200: dataOf(IdentityResponse, 'Identity updated'), ...errors(400, 401, 403, 404, 422) },
    },
  }, async (req) => {
    const row = await requireIdentity(ctx.pool, req.params.id);
    await authorize(ctx, req, 'identities', 'update', identityTarget(row));
    const b = req.body ?? {};
    const params: unknown[] = [];
    const upd = new UpdateBuilder(params)
      .set('display_name', b.display_name ?? undefined)
      .set('password_hash', b.password ? await hashPassword(b.password) : undefined)
      // fault identity-update-clears-attributes: an update that names no attributes empties them
      .set('attributes', b.attributes ? asJson(b.attributes) : fault('identity-update-clears-attributes') ? '{}' : undefined, '::jsonb')
      .set('frozen', typeof b.frozen === 'boolean' ? b.frozen : undefined);
    let updated = row;
    if (!upd.empty) {
      params.push(row.id);
      updated = (await ctx.pool.query(`UPDATE identity SET ${upd.sql()} WHERE id = $${params.length} RETURNING *`, params)).rows[0];
    }
    return ok(await identityResponse(ctx.pool, updated), 'Identity updated successfully');
  });

  app.delete<{ Params: { id: number } }>('/api/v1/identities/:id', {
    onRequest: auth,
    schema: { tags, summary: 'Delete an identity', security: bearer, params: idParams(), response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const row = await requireIdentity(ctx.pool, req.params.id);
    await authorize(ctx, req, 'identities', 'delete', identityTarget(row));
    await ctx.pool.query('DELETE FROM identity WHERE id = $1', [row.id]);
    return ok({ success: true, message: `Identity ${row.id} deleted successfully` });
  });

  for (const [suffix, frozen] of [['freeze', true], ['unfreeze', false]] as const) {
    app.post<{ Params: { id: number } }>(`/api/v1/identities/:id/${suffix}`, {
      onRequest: auth,
      schema: {
        tags, summary: frozen ? 'Freeze an identity (it can no longer authenticate)' : 'Unfreeze an identity',
        security: bearer, params: idParams(), response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) },
      },
    }, async (req) => {
      const row = await requireIdentity(ctx.pool, req.params.id);
      await authorize(ctx, req, 'identities', 'update', identityTarget(row));
      // fault unfreeze-ignored: unfreezing is answered as done but the identity stays frozen
      if (frozen || !fault('unfreeze-ignored')) await ctx.pool.query('UPDATE identity SET frozen = $2 WHERE id = $1', [row.id, frozen]);
      return ok({ success: true, message: `Identity ${row.id} ${frozen ? 'frozen' : 'unfrozen'} successfully` });
    });
  }

  app.post<{ Params: { id: number }; Body: { role: string } }>('/api/v1/identities/:id/roles', {
    onRequest: auth,
    schema: {
      tags, summary: 'Give an identity a role', security: bearer, params: idParams(),
      body: object({ role: { type: 'string', minLength: 1, maxLength: 255 } }, ['role']),
      response: { 201: dataOf(RoleAssignment, 'Identity role assignment created'), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req, reply) => {
    await authorize(ctx, req, 'permissions', 'manage');
    const row = await requireIdentity(ctx.pool, req.params.id);
    const { rows } = await ctx.pool.query(
      `INSERT INTO identity_role_assignment (identity, role) VALUES ($1, $2)
       ON CONFLICT (identity, role) DO NOTHING
       RETURNING id, identity AS identity_id, role, source, managed, created, updated`,
      [row.id, req.body.role],
    );
    if (rows.length === 0) throw conflict(`Identity ${row.id} already has role '${req.body.role}'`);
    reply.code(201);
    return ok(present(rows[0]), 'Role assigned successfully');
  });

  app.delete<{ Params: { id: number } }>('/api/v1/identities/roles/:id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Remove a role assignment (id = role assignment id)', security: bearer, params: idParams(),
      response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'manage');
    // fault role-removal-ignored: the removal is answered as done but the assignment stays
    const sql = fault('role-removal-ignored') ? 'SELECT id FROM identity_role_assignment WHERE id = $1' : 'DELETE FROM identity_role_assignment WHERE id = $1';
    const { rowCount } = await ctx.pool.query(sql, [req.params.id]);
    if (!rowCount) throw notFound(`Identity role assignment with ID ${req.params.id} not found`);
    return ok({ success: true, message: 'Identity role assignment deleted successfully' });
  });

  app.get<{ Params: { id: number } }>('/api/v1/identities/:id/permissions', {
    onRequest: auth,
    schema: {
      tags, summary: 'Permission-set assignments of an identity (bare array)', security: bearer, params: idParams(),
      response: { 200: { ...arrayOf(PermissionAssignment), description: 'List permission assignments for an identity' }, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'permissions', 'read');
    const row = await requireIdentity(ctx.pool, req.params.id);
    // fault identity-permissions-of-caller: the list holds the caller's own assignments, not the identity's
    return directPermissionsOf(ctx.pool, fault('identity-permissions-of-caller') ? principalOf(req).identityId : (row.id as number));
  });
}

