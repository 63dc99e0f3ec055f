/** Read-only SQL against the itest database (schema attune). */
import pg from 'pg';
import { DB_URL } from './itest-stack';

export async function openDb(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: DB_URL });
  await c.connect();
  await c.query('SET search_path = attune, public');
  return c;
}
