/**
 * API start-up data: the built-in core pack, then the configured admin identity holding the
 * configured permission set (default core.admin). Idempotent and safe when several API processes
 * start at once (advisory lock).
 */
import { config } from '../common/config';
import { hashPassword } from '../common/passwords';
import type { ApiContext } from './context';
import { loadCorePack } from './pack-loader';
import { stringifyExact } from '../common/exact-json';

export const BOOTSTRAP_LOCK = 78210022;

export async function bootstrap(ctx: ApiContext): Promise<void> {
  await loadCorePack(ctx);
  const security = (ctx.cfg ?? config()).security;
  const login = security.admin_login;
  const permsetRef = security.admin_permission_set_ref || 'core.admin';
  if (!login) {
    ctx.log.warn('security.admin_login is empty: no admin identity seeded');
    return;
  }
  const client = await ctx.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
    try {
      let identityId = (await client.query('SELECT id FROM identity WHERE login = $1', [login])).rows[0]?.id as number | undefined;
      if (identityId === undefined) {
        const attributes: Record<string, unknown> = { created_via: 'bootstrap', is_test_user: true };
        if (login.includes('@')) attributes.email = login;
        const hash = await hashPassword(security.admin_password);
        const inserted = await client.query(
          `INSERT INTO identity (login, display_name, password_hash, attributes)
           VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (login) DO NOTHING RETURNING id`,
          [login, 'Test User', hash, stringifyExact({ email: attributes.email, ...attributes })],
        );
        identityId = (inserted.rows[0]?.id ?? (await client.query('SELECT id FROM identity WHERE login = $1', [login])).rows[0]?.id) as number;
        ctx.log.info({ login, identity_id: identityId }, 'admin identity created');
      }
      const permset = (await client.query('SELECT id FROM permission_set WHERE ref = $1', [permsetRef])).rows[0]?.id as number | undefined;
      if (permset === undefined) {
        ctx.log.error({ permission_set_ref: permsetRef }, 'admin permission set does not exist; the admin has no grants');
        return;
      }
      const assigned = await client.query(
        'INSERT INTO permission_assignment (identity, permset) VALUES ($1, $2) ON CONFLICT (identity, permset) DO NOTHING RETURNING id',
        [identityId, permset],
      );
      if (assigned.rowCount) ctx.log.info({ login, permission_set_ref: permsetRef }, 'admin permission set assigned');
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
