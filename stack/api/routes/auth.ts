import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fault } from '../../common/faults';
import { hashIntegrationToken, integrationTokenActive } from '../../common/integration-tokens';
import { hashPassword, verifyPassword } from '../../common/passwords';
import { signToken, TokenError, verifyToken } from '../../common/tokens';
import { grantsOf } from '../authz';
import type { ApiContext } from '../context';
import { authenticate } from '../context';
import { guard, principalOf } from '../guards';
import { ApiError, conflict, forbidden, notFound, ok, unauthorized, validationError } from '../http';
import { packOfRef, Row } from '../lookups';
import {
  AuthSettings, bearer, CurrentUser, dataOf, errors, nstr, object, str, SensorTokenResponse, TokenResponse, WrappedSuccess,
} from '../openapi';
import { stringifyExact } from '../../common/exact-json';

const tags = ['auth'];
export const SENSOR_TOKEN_DEFAULT_TTL = 86_400;
export const SENSOR_LOGIN_PREFIX = 'sensor:';

/** The scope claim of a refresh token issued by an integration-token login; its `sub` is the token's id. */
const INTEGRATION_REFRESH_SCOPE = 'integration_token';

async function issueTokens(ctx: ApiContext, identity: Row, withUser: boolean, integrationTokenId?: number) {
  const sec = ctx.cfg.security;
  const claims = { sub: identity.id as number, login: identity.login as string };
  const access_token = await signToken({ ...claims, token_type: 'access' }, sec.jwt_access_expiration);
  // a session opened with an integration token refreshes only while that token stays active
  const refreshClaims = integrationTokenId === undefined ? claims : { ...claims, sub: integrationTokenId, scope: INTEGRATION_REFRESH_SCOPE };
  const refresh_token = await signToken({ ...refreshClaims, token_type: 'refresh' }, sec.jwt_refresh_expiration);
  return {
    access_token,
    refresh_token,
    token_type: 'Bearer',
    expires_in: sec.jwt_access_expiration,
    ...(withUser ? { user: { id: identity.id, login: identity.login, display_name: identity.display_name ?? null } } : {}),
  };
}

/** Refs of the permission sets an identity holds directly or through its roles. */
async function assignedSetRefs(ctx: ApiContext, identityId: number): Promise<string[]> {
  const { rows } = await ctx.pool.query(
    `SELECT ps.ref FROM permission_set ps
      WHERE ps.id IN (SELECT pa.permset FROM permission_assignment pa WHERE pa.identity = $1)
         OR ps.id IN (SELECT psr.permset FROM permission_set_role_assignment psr
                        JOIN identity_role_assignment ira ON ira.role = psr.role WHERE ira.identity = $1)
      ORDER BY ps.ref`,
    [identityId],
  );
  return rows.map((r) => r.ref as string);
}

/**
 * The identity an integration token logs in as, when the token (found by hash or by id) is active and its identity
 * exists and is not frozen; undefined otherwise.
 */
async function integrationSession(ctx: ApiContext, by: { hash: string } | { id: number }): Promise<{ identity: Row; tokenId: number } | undefined> {
  if ('id' in by && !Number.isSafeInteger(by.id)) return undefined;
  const { rows } = await ctx.pool.query(
    `SELECT id, identity, created_by, revoked_at, expires_at FROM integration_token WHERE ${'hash' in by ? 'token_hash' : 'id'} = $1`,
    ['hash' in by ? by.hash : by.id],
  );
  const token = rows[0];
  // fault revoked-integration-token-accepted: a revoked token still logs in (expiry is still checked)
  const usable = token && (integrationTokenActive(token) || (fault('revoked-integration-token-accepted') && integrationTokenActive({ ...token, revoked_at: null })));
  if (!usable) return undefined;
  // fault token-login-grants-admin: the session belongs to whoever issued the token (the administrator), not to its identity
  const identityId = fault('token-login-grants-admin') && token.created_by != null ? token.created_by : token.identity;
  const identity = (await ctx.pool.query('SELECT * FROM identity WHERE id = $1', [identityId])).rows[0];
  if (!identity || identity.frozen) return undefined;
  return { identity, tokenId: Number(token.id) };
}

const sensorTokenBody = (required: string[]) =>
  object(
    {
      sensor_ref: { type: 'string', minLength: 1, maxLength: 255, description: 'Sensor reference, e.g. core.timer_sensor' },
      trigger_types: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, description: 'Trigger refs the token may create events for' },
      ttl_seconds: { type: 'integer', minimum: 3600, maximum: 259200, description: 'Token lifetime (default 86400)' },
      pack_ref: nstr,
    },
    required,
  );

/** Creates identity `sensor:<ref>` when absent and signs a sensor token for it. */
async function mintSensorToken(ctx: ApiContext, sensorRef: string, triggerTypes: string[], ttl: number) {
  const login = `${SENSOR_LOGIN_PREFIX}${sensorRef}`;
  const { rows } = await ctx.pool.query(
    `INSERT INTO identity (login, display_name, attributes) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (login) DO UPDATE SET login = EXCLUDED.login
     RETURNING id, frozen`,
    [login, `Sensor ${sensorRef}`, stringifyExact({ type: 'sensor', sensor_ref: sensorRef })],
  );
  const identity = rows[0];
  if (identity.frozen) throw forbidden('Identity is frozen');
  const token = await signToken({ sub: identity.id, login, token_type: 'sensor', metadata: { trigger_types: triggerTypes } }, ttl);
  return {
    identity_id: identity.id as number,
    sensor_ref: sensorRef,
    token,
    expires_at: new Date(Date.now() + ttl * 1000).toISOString(),
    trigger_types: triggerTypes,
    permission_set_refs: [] as string[],
    pack_ref: packOfRef(sensorRef),
  };
}

/** Cookies a browser session may hold (cleared by /auth/logout). */
const SESSION_COOKIES = ['attune_access_token', 'attune_refresh_token'];

/** CurrentUserResponse of an identity (404 when gone, 403 when frozen). */
async function currentUser(ctx: ApiContext, identityId: number) {
  const { rows } = await ctx.pool.query('SELECT * FROM identity WHERE id = $1', [identityId]);
  const identity = rows[0];
  if (!identity) throw notFound(`Identity with ID ${identityId} not found`);
  if (identity.frozen) throw forbidden('Identity is frozen');
  return {
    id: identity.id,
    login: identity.login,
    display_name: identity.display_name,
    frozen: identity.frozen,
    attributes: identity.attributes,
    auth_provider: 'local',
    is_local: true,
    can_change_password: identity.password_hash != null,
    effective_permissions: await grantsOf(ctx.pool, identity.id),
    assigned_permission_set_refs: await assignedSetRefs(ctx, identity.id),
    provider_profile: null,
  };
}

interface SensorTokenBody {
  sensor_ref?: string;
  trigger_types?: string[];
  ttl_seconds?: number;
}

/** Fields of an internal sensor-token request; a valid sensor bearer token may stand in for them (re-issue). */
async function internalSensorRequest(req: FastifyRequest<{ Body: SensorTokenBody | undefined }>) {
  const body = req.body ?? {};
  let sensorRef = body.sensor_ref;
  let triggerTypes = body.trigger_types;
  if ((sensorRef === undefined || triggerTypes === undefined) && req.headers.authorization) {
    const principal = await authenticate(req);
    if (principal.tokenType === 'sensor' && principal.login.startsWith(SENSOR_LOGIN_PREFIX)) {
      sensorRef ??= principal.login.slice(SENSOR_LOGIN_PREFIX.length);
      const tt = principal.metadata?.trigger_types;
      // fault sensor-token-renewal-drops-triggers: a renewal by token forgets the token's trigger types
      if (triggerTypes === undefined && Array.isArray(tt) && !fault('sensor-token-renewal-drops-triggers')) triggerTypes = tt.filter((t): t is string => typeof t === 'string');
    }
  }
  if (!sensorRef) throw validationError('sensor_ref: missing required field');
  if (!triggerTypes || triggerTypes.length === 0) throw validationError('trigger_types: missing required field');
  return { sensorRef, triggerTypes, ttl: body.ttl_seconds ?? SENSOR_TOKEN_DEFAULT_TTL };
}

/** /auth/*: registration, login, token refresh, current user, settings, sensor tokens. */
export function registerAuthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.post<{ Body: { login: string; password: string; display_name?: string | null } }>('/auth/register', {
    schema: {
      tags,
      summary: 'Register a local identity (when security.allow_self_registration is true)',
      body: object(
        {
          login: { type: 'string', minLength: 3, maxLength: 255 },
          password: { type: 'string', minLength: 8, maxLength: 128 },
          display_name: { type: ['string', 'null'], maxLength: 255 },
        },
        ['login', 'password'],
      ),
      response: { 200: dataOf(TokenResponse, 'Successfully registered'), ...errors(403, 409, 422) },
    },
  }, async (req) => {
    if (!ctx.cfg.security.allow_self_registration) throw forbidden('Self-registration is disabled');
    const { login, password, display_name } = req.body;
    const hash = await hashPassword(password);
    const { rows } = await ctx.pool.query(
      `INSERT INTO identity (login, display_name, password_hash, attributes) VALUES ($1, $2, $3, '{}'::jsonb)
       ON CONFLICT (login) DO NOTHING RETURNING *`,
      [login, display_name ?? null, hash],
    );
    if (rows.length === 0) throw conflict(`Identity with login '${login}' already exists`);
    return ok(await issueTokens(ctx, rows[0], true));
  });

  app.post<{ Body: { login: string; password: string } }>('/auth/login', {
    schema: {
      tags,
      summary: 'Log in with login and password',
      body: object({ login: { type: 'string', minLength: 1, maxLength: 255 }, password: { type: 'string', minLength: 1 } }, ['login', 'password']),
      response: { 200: dataOf(TokenResponse, 'Successfully logged in'), ...errors(401, 403, 422) },
    },
  }, async (req) => {
    const { rows } = await ctx.pool.query('SELECT * FROM identity WHERE login = $1', [req.body.login]);
    const identity = rows[0];
    if (!identity || !(fault('wrong-password-accepted') || (await verifyPassword(identity.password_hash, req.body.password)))) {
      throw unauthorized('Invalid login or password');
    }
    // fault frozen-identity-signs-in: a frozen identity still signs in and refreshes its session
    if (identity.frozen && !fault('frozen-identity-signs-in')) throw forbidden('Identity is frozen');
    return ok(await issueTokens(ctx, identity, true));
  });

  app.post<{ Body: { token: string } }>('/auth/token-login', {
    schema: {
      tags,
      summary: 'Passwordless integration-token login endpoint.',
      description:
        'Exchanges an integration token (issued by POST /api/v1/identities/{id}/integration-tokens) for an access/refresh pair of ' +
        "the token's identity, with that identity's own permissions. A revoked, expired or unknown token, or one whose identity is " +
        'frozen, answers 401 `Invalid token`. The refresh token works only while the integration token stays active.',
      body: object({ token: { type: 'string', minLength: 1, description: 'the secret, attune_it_…' } }, ['token']),
      response: { 200: dataOf(TokenResponse, 'Successfully logged in with integration token'), ...errors(401, 422) },
    },
  }, async (req) => {
    const session = await integrationSession(ctx, { hash: hashIntegrationToken(req.body.token) });
    if (!session) throw unauthorized('Invalid token');
    await ctx.pool.query('UPDATE integration_token SET last_used_at = now(), last_used_ip = $2 WHERE id = $1', [session.tokenId, req.ip]);
    return ok(await issueTokens(ctx, session.identity, true, session.tokenId));
  });

  app.post<{ Body: { refresh_token: string } }>('/auth/refresh', {
    schema: {
      tags,
      summary: 'Exchange a refresh token for a new access/refresh pair',
      body: object({ refresh_token: { type: 'string', minLength: 1 } }, ['refresh_token']),
      response: { 200: dataOf(TokenResponse, 'Successfully refreshed token'), ...errors(401, 403, 422) },
    },
  }, async (req) => {
    let claims;
    try {
      claims = await verifyToken(req.body.refresh_token);
    } catch (err) {
      throw unauthorized(err instanceof TokenError && err.expired ? 'Refresh token expired' : 'Invalid or expired refresh token');
    }
    if (claims.token_type !== 'refresh') throw unauthorized('Invalid refresh token: wrong token type');
    if (claims.scope === INTEGRATION_REFRESH_SCOPE) {
      const session = await integrationSession(ctx, { id: Number(claims.sub) });
      if (!session) throw unauthorized('Invalid or expired refresh token');
      return ok(await issueTokens(ctx, session.identity, false, session.tokenId));
    }
    const id = Number(claims.sub);
    if (!Number.isInteger(id)) throw unauthorized('Invalid or expired refresh token');
    const { rows } = await ctx.pool.query('SELECT * FROM identity WHERE id = $1', [id]);
    if (!rows[0]) throw unauthorized('Invalid or expired refresh token');
    if (rows[0].frozen && !fault('frozen-identity-signs-in')) throw forbidden('Identity is frozen');
    return ok(await issueTokens(ctx, rows[0], false));
  });

  app.get('/auth/me', {
    schema: { tags, summary: 'The calling identity', security: bearer, response: { 200: dataOf(CurrentUser, 'Current user information'), ...errors(401, 403, 404) } },
  }, async (req) => {
    const principal = await authenticate(req);
    return ok(await currentUser(ctx, principal.identityId));
  });

  app.put<{ Body: { display_name?: string | null } }>('/auth/me', {
    onRequest: guard(ctx),
    schema: {
      tags, summary: 'Update the calling identity\'s profile (display name; empty or blank clears it)', security: bearer,
      body: object({ display_name: { type: ['string', 'null'], maxLength: 255 } }),
      response: { 200: dataOf(CurrentUser, 'Current user profile updated'), ...errors(401, 403, 404, 422) },
    },
  }, async (req) => {
    const principal = principalOf(req);
    if (principal.tokenType !== 'access') throw forbidden('User profile changes require a user access token');
    const trimmed = typeof req.body.display_name === 'string' ? req.body.display_name.trim() : '';
    // fault profile-name-untrimmed: the display name is stored exactly as sent, blanks and all
    const displayName = fault('profile-name-untrimmed') ? req.body.display_name ?? null : trimmed === '' ? null : trimmed;
    const { rows } = await ctx.pool.query('UPDATE identity SET display_name = $2 WHERE id = $1 RETURNING id', [principal.identityId, displayName]);
    if (!rows[0]) throw notFound(`Identity with ID ${principal.identityId} not found`);
    return ok(await currentUser(ctx, principal.identityId));
  });

  app.post<{ Body: { current_password: string; new_password: string } }>('/auth/change-password', {
    onRequest: guard(ctx),
    schema: {
      tags, summary: 'Change the calling identity\'s password', security: bearer,
      body: object(
        { current_password: { type: 'string', minLength: 1 }, new_password: { type: 'string', minLength: 8, maxLength: 128 } },
        ['current_password', 'new_password'],
      ),
      response: { 200: WrappedSuccess, ...errors(401, 403, 404, 422) },
    },
  }, async (req) => {
    const principal = principalOf(req);
    if (principal.tokenType !== 'access') throw forbidden('User profile changes require a user access token');
    const { rows } = await ctx.pool.query('SELECT id, password_hash FROM identity WHERE id = $1', [principal.identityId]);
    const identity = rows[0];
    if (!identity) throw notFound(`Identity with ID ${principal.identityId} not found`);
    if (identity.password_hash == null) throw unauthorized('No password set');
    if (!(await verifyPassword(identity.password_hash, req.body.current_password))) throw unauthorized('Invalid current password');
    // fault password-change-ignored: the change is answered as done but the old password stays
    if (!fault('password-change-ignored')) {
      await ctx.pool.query('UPDATE identity SET password_hash = $2 WHERE id = $1', [identity.id, await hashPassword(req.body.new_password)]);
    }
    return ok({ success: true, message: 'Password changed successfully' });
  });

  app.get('/auth/logout', {
    schema: {
      tags, summary: 'End the browser session: clears the session cookies and redirects (307) to /login',
      description: 'Bearer tokens are stateless and stay valid until they expire; API clients simply drop them.',
      response: { 307: { description: 'Redirect after clearing the browser session', type: 'null' } },
    },
  }, async (_req, reply) => {
    for (const name of SESSION_COOKIES) reply.header('set-cookie', `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
    // fault logout-no-redirect: logout answers 200 in place instead of sending the browser to the login page
    if (fault('logout-no-redirect')) return reply.code(200 as never).send(<never>{ data: { success: true, message: 'Logged out' } });
    return reply.redirect('/login', 307);
  });

  // Single sign-on: the reference stack configures neither OIDC nor LDAP (GET /auth/settings says so), and answers
  // these routes 501 with a JSON error, as Attune does when a provider is not configured.
  const notConfigured = (provider: string) => {
    // fault sso-unconfigured-not-found: an unconfigured provider's routes answer 404 as if they did not exist
    if (fault('sso-unconfigured-not-found')) return notFound(`${provider} authentication is not configured`);
    return new ApiError(501, 'NOT_IMPLEMENTED', `${provider} authentication is not configured`);
  };
  const ssoErrors = { 501: { ...errors(400)[400], description: 'Not configured' } };
  app.get('/auth/oidc/login', {
    schema: {
      tags, summary: 'Begin browser OIDC login (307 to the provider); 501 when OIDC is not configured',
      querystring: object({ redirect_to: str, cli_redirect_uri: str }),
      response: { ...ssoErrors },
    },
  }, async () => {
    throw notConfigured('OIDC');
  });
  app.get('/auth/callback', {
    schema: { tags, summary: 'OIDC authorization-code callback; 501 when OIDC is not configured', response: { ...ssoErrors } },
  }, async () => {
    throw notConfigured('OIDC');
  });
  app.post<{ Body: { login: string; password: string } }>('/auth/ldap/login', {
    schema: {
      tags, summary: 'Sign in through the LDAP directory; 501 when LDAP is not configured',
      body: object({ login: { type: 'string', minLength: 1, maxLength: 255 }, password: { type: 'string', minLength: 1, maxLength: 512 } }, ['login', 'password']),
      response: { 200: dataOf(TokenResponse, 'Successfully authenticated via LDAP'), ...errors(401, 422), ...ssoErrors },
    },
  }, async () => {
    throw notConfigured('LDAP');
  });

  app.get('/auth/settings', {
    schema: { tags, summary: 'Authentication settings', response: { 200: dataOf(AuthSettings, 'Authentication settings') } },
  }, async () =>
    ok({
      authentication_enabled: ctx.cfg.security.enable_auth,
      local_password_enabled: true,
      local_password_visible_by_default: true,
      oidc_enabled: false,
      oidc_visible_by_default: false,
      oidc_provider_name: null,
      oidc_provider_label: null,
      oidc_provider_icon_url: null,
      ldap_enabled: false,
      ldap_visible_by_default: false,
      ldap_provider_name: null,
      ldap_provider_label: null,
      ldap_provider_icon_url: null,
      self_registration_enabled: ctx.cfg.security.allow_self_registration,
    }),
  );

  app.post<{ Body: { sensor_ref: string; trigger_types: string[]; ttl_seconds?: number } }>('/auth/sensor-token', {
    onRequest: guard(ctx),
    schema: {
      tags,
      summary: 'Create a sensor token (creates identity sensor:<sensor_ref> when absent)',
      security: bearer,
      body: sensorTokenBody(['sensor_ref', 'trigger_types']),
      response: { 200: dataOf(SensorTokenResponse), ...errors(401, 403, 422) },
    },
  }, async (req) => {
    principalOf(req);
    const { sensor_ref, trigger_types, ttl_seconds } = req.body;
    // fault sensor-token-ttl-ignored: the requested lifetime is ignored, every token lives the default 24 h
    const ttl = fault('sensor-token-ttl-ignored') ? SENSOR_TOKEN_DEFAULT_TTL : ttl_seconds ?? SENSOR_TOKEN_DEFAULT_TTL;
    return ok(await mintSensorToken(ctx, sensor_ref, trigger_types, ttl));
  });

  app.post<{ Body: SensorTokenBody | undefined }>('/auth/internal/sensor-token', {
    schema: {
      tags,
      summary: 'Create or re-issue a sensor token (internal; no authentication)',
      description:
        'sensor_ref and trigger_types are required unless the request carries a valid sensor token, whose sensor and trigger types are then reused.',
      body: { ...sensorTokenBody([]), type: ['object', 'null'] },
      response: { 200: dataOf(SensorTokenResponse), ...errors(401, 403, 422) },
    },
  }, async (req) => {
    const { sensorRef, triggerTypes, ttl } = await internalSensorRequest(req);
    return ok(await mintSensorToken(ctx, sensorRef, triggerTypes, ttl));
  });
}

