/**
 * Environments of packs that no longer exist: every scenario installs a pack of its own, so without a sweep
 * `{runtime_envs_dir}` would only grow. At worker start, the folders under it whose name is no pack ref in the
 * database are removed (leftover build / retired folders of a crashed build go with them). Best effort: a failure
 * is logged by the caller and changes nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Queryable } from '../../common/db';

/** Removes `{envRoot}/<name>` for every `<name>` that is not a pack ref; returns the names removed. */
export async function pruneOrphanEnvironments(db: Queryable, envRoot: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await fs.promises.readdir(envRoot, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  const { rows } = await db.query<{ ref: string }>('SELECT ref FROM pack WHERE ref = ANY($1::text[])', [names]);
  const live = new Set(rows.map((r) => r.ref));
  const orphans = names.filter((n) => !live.has(n) && n !== '_shared');
  for (const name of orphans) await fs.promises.rm(path.join(envRoot, name), { recursive: true, force: true });
  return orphans;
}
