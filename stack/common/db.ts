import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { config } from './config';
import { parseExact } from './exact-json';
import { stackRoot } from './paths';

// BIGINT ids travel as JSON numbers (Attune's wire format); they stay far below 2^53 here.
pg.types.setTypeParser(20, (v) => Number(v));
// NUMERIC likewise.
pg.types.setTypeParser(1700, (v) => Number(v));
// json / jsonb: integers a double cannot hold come back as exact bigints (Attune keeps payload numbers exact).
pg.types.setTypeParser(114, parseExact);
pg.types.setTypeParser(3802, parseExact);

export type Pool = pg.Pool;
export type Client = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A pool whose every connection works in the configured schema (search_path = <schema>, public). */
export function createPool(service: string, opts: { max?: number } = {}): pg.Pool {
  const cfg = config();
  const schema = cfg.database.schema || 'attune';
  const pool = new pg.Pool({
    connectionString: cfg.database.url,
    max: opts.max ?? Math.min(cfg.database.max_connections, 10),
    application_name: `attune:${schema}:${service}`,
    options: `-c search_path=${schema},public`,
  });
  if (cfg.database.prepared_statements !== false) pool.on('connect', prepareStatementsOn);
  return pool;
}

/** How many distinct statement texts a process prepares; texts beyond it run unnamed, as before. */
export const MAX_PREPARED_TEXTS = 1000;
const statementNames = new Map<string, string>();

/** The prepared-statement name of a statement text (a digest of it), or undefined once the cap is reached. */
export function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_TEXTS) {
    name = `s_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Every parameterised statement a pooled connection runs becomes a named prepared statement of that connection,
 * so PostgreSQL parses and plans each text once per connection instead of at every call (at 100 runs/s parsing
 * and planning were a third of the database's CPU). Statements without parameters (migrations, BEGIN/COMMIT,
 * multi-statement texts) keep the simple protocol. `database.prepared_statements: false` turns this off.
 */
function prepareStatementsOn(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = function named(this: unknown, ...args: unknown[]) {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (name !== undefined) return query.call(this, { name, text, values }, ...args.slice(2));
    }
    return query.apply(this, args);
  };
}

/** Creates the configured database when it does not exist yet (idempotent, race-tolerant). */
export async function ensureDatabase(url: string = config().database.url): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(dbName)) throw new Error(`refusing to create database with unusual name '${dbName}'`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${dbName}"`);
      } catch (err) {
        // 42P04 duplicate_database: another service created it first.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

export const MIGRATION_LOCK_KEY = 78210015;

export interface MigrationFile {
  version: number;
  description: string;
  file: string;
  sql: string;
  checksum: Buffer;
}

export function migrationFiles(dir = path.join(stackRoot, 'migrations')): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{14}_.+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), 'utf8');
      const [, version, description] = /^(\d{14})_(.+)\.sql$/.exec(f)!;
      return { version: Number(version), description, file: f, sql, checksum: crypto.createHash('sha384').update(sql).digest() };
    });
}

/**
 * Applies pending migrations in filename order, each in its own transaction, recording them in
 * `_sqlx_migrations` (Attune's history table). A session advisory lock serialises concurrent starters.
 */
export async function migrate(pool: pg.Pool, schema = config().database.schema || 'attune'): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${schema}"._sqlx_migrations (
      version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
      success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)`);
    const done = new Set(
      (await client.query(`SELECT version FROM "${schema}"._sqlx_migrations WHERE success`)).rows.map((r) => Number(r.version)),
    );
    for (const m of migrationFiles()) {
      if (done.has(m.version)) continue;
      const started = Date.now();
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path = "${schema}", public`);
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "${schema}"._sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, true, $3, $4)`,
          [m.version, m.description, m.checksum, (Date.now() - started) * 1_000_000],
        );
        await client.query('COMMIT');
        applied.push(m.file);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.file} failed: ${(err as Error).message}`);
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** Runs fn inside a transaction on one pooled client. */
export async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // a connection that dies while checked out (a database restart between two statements) emits 'error' on the
  // client: without a listener that is an uncaught exception; the next statement fails instead, and the client is
  // discarded on release
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

const TRANSIENT_TX_CODES = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);

/**
 * withTransaction, run again (up to `attempts` times in all) when PostgreSQL aborted it as the victim of a
 * deadlock or a serialization failure: the whole transaction was rolled back, so running fn again is safe
 * as long as fn keeps its side effects inside the transaction (or rebuilds them on each call).
 */
export async function withRetriedTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, fn);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !TRANSIENT_TX_CODES.has(code)) throw err;
    }
  }
}

/** Start-up of any service: create the database if needed, open the pool, apply migrations. */
export async function openDatabase(service: string, opts: { max?: number } = {}): Promise<pg.Pool> {
  await ensureDatabase();
  const pool = createPool(service, opts);
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  await migrate(pool);
  return pool;
}
