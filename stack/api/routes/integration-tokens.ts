import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../common/db';
import { integrationTokenActive, newIntegrationToken } from '../../common/integration-tokens';
import { authorize } from '../authz';
import type { ApiContext } from '../context';
import { guard } from '../guards';
import { badRequest, notFound, ok, validationError } from '../http';
import { present, requireIdentity, Row } from '../lookups';
import { arrayOf, bearer, dataOf, errors, IntegrationToken, nstr, object, WrappedSuccess } from '../openapi';

const tags = ['permissions'];

const COLUMNS = `id, identity AS identity_id, label, description, token_prefix, token_suffix, created_by, expires_at,
  last_used_at, last_used_ip, revoked_at, revoked_by, revocation_reason, created, updated`;

/** IntegrationTokenResponse: the row without its hash, plus `active`. */
export function presentIntegrationToken(row: Row): Row {
  return { ...present(row), active: integrationTokenActive(row as { revoked_at: Date | null; expires_at: Date | null }) };
}

async function tokenOf(db: Queryable, identityId: number, tokenId: number): Promise<Row> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM integration_token WHERE id = $1 AND identity = $2`, [tokenId, identityId]);
  if (!rows[0]) throw notFound(`Integration token '${tokenId}' not found`);
  return rows[0];
}

const identityParams = object({ id: { type: 'integer', description: 'Identity ID' } }, ['id']);
const tokenParams = object(
  { id: { type: 'integer', description: 'Identity ID' }, token_id: { type: 'integer', description: 'Integration token ID' } },
  ['id', 'token_id'],
);

/**
 * /api/v1/identities/{id}/integration-tokens: issue, list, revoke and delete an identity's integration tokens.
 * Listing needs identities:read, the rest identities:update (Attune's checks, made before the identity is looked up).
 */
export function registerIntegrationTokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const auth = guard(ctx);

  app.get<{ Params: { id: number } }>('/api/v1/identities/:id/integration-tokens', {
    onRequest: auth,
    schema: {
      tags, summary: "List an identity's integration tokens (newest first; secrets are never returned)", security: bearer,
      params: identityParams,
      response: { 200: dataOf(arrayOf(IntegrationToken), 'List integration tokens'), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'identities', 'read');
    await requireIdentity(ctx.pool, req.params.id);
    const { rows } = await ctx.pool.query(`SELECT ${COLUMNS} FROM integration_token WHERE identity = $1 ORDER BY created DESC, id DESC`, [req.params.id]);
    return ok(rows.map(presentIntegrationToken));
  });

  app.post<{ Params: { id: number }; Body: { label: string; description?: string | null; expires_at?: string | null } }>(
    '/api/v1/identities/:id/integration-tokens',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Issue an integration token to an identity',
        description: 'The answer carries the secret `token` once; only its SHA-256 is stored. `expires_at` must lie in the future.',
        security: bearer,
        params: identityParams,
        body: object(
          {
            label: { type: 'string', minLength: 1, maxLength: 255 },
            description: { type: ['string', 'null'], maxLength: 1000 },
            expires_at: { type: ['string', 'null'], format: 'date-time' },
          },
          ['label'],
        ),
        response: {
          201: dataOf(object({ token: { type: 'string', description: 'the secret, shown only here' }, integration_token: IntegrationToken }, ['token', 'integration_token']), 'Integration token created'),
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (req, reply) => {
      const principal = await authorize(ctx, req, 'identities', 'update');
      await requireIdentity(ctx.pool, req.params.id);
      const label = req.body.label.trim();
      if (!label) throw badRequest('label must not be blank');
      const expiresAt = req.body.expires_at ?? null;
      if (expiresAt !== null && Number.isNaN(Date.parse(expiresAt))) throw validationError(`expires_at '${expiresAt}' is not an RFC 3339 date-time`);
      if (expiresAt !== null && new Date(expiresAt).getTime() <= Date.now()) throw badRequest('Integration token expiration must be in the future');
      const token = newIntegrationToken();
      const { rows } = await ctx.pool.query(
        `INSERT INTO integration_token (identity, name, label, description, token_hash, token_prefix, token_suffix, created_by, expires_at)
         VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [req.params.id, label, req.body.description ?? null, token.hash, token.prefix, token.suffix, principal.identityId, expiresAt],
      );
      reply.code(201);
      return ok({ token: token.secret, integration_token: presentIntegrationToken(rows[0]) }, 'Integration token created');
    },
  );

  app.post<{ Params: { id: number; token_id: number }; Body: { reason?: string | null } | null }>(
    '/api/v1/identities/:id/integration-tokens/:token_id/revoke',
    {
      onRequest: auth,
      schema: {
        tags,
        summary: 'Revoke an integration token (it can no longer log in or refresh; revoking again changes nothing)',
        security: bearer,
        params: tokenParams,
        body: { ...object({ reason: { ...nstr, maxLength: 1000 } }), type: ['object', 'null'] },
        response: { 200: dataOf(IntegrationToken, 'Integration token revoked'), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (req) => {
      const principal = await authorize(ctx, req, 'identities', 'update');
      await requireIdentity(ctx.pool, req.params.id);
      await tokenOf(ctx.pool, req.params.id, req.params.token_id);
      const { rows } = await ctx.pool.query(
        `UPDATE integration_token
            SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $2),
                revocation_reason = COALESCE(revocation_reason, $3)
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [req.params.token_id, principal.identityId, req.body?.reason ?? null],
      );
      return ok(presentIntegrationToken(rows[0]));
    },
  );

  app.delete<{ Params: { id: number; token_id: number } }>('/api/v1/identities/:id/integration-tokens/:token_id', {
    onRequest: auth,
    schema: {
      tags, summary: 'Delete an integration token', security: bearer, params: tokenParams,
      response: { 200: WrappedSuccess, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    await authorize(ctx, req, 'identities', 'update');
    await requireIdentity(ctx.pool, req.params.id);
    await tokenOf(ctx.pool, req.params.id, req.params.token_id);
    await ctx.pool.query('DELETE FROM integration_token WHERE id = $1', [req.params.token_id]);
    return ok({ success: true, message: 'Integration token deleted successfully' });
  });
}
