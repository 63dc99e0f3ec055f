/**
 * The per-run temp folders of the worker (`<tmp>/attune-exec-<stack>-<execution id>-XXXXXX`: inline scripts,
 * parameter files). `<stack>` is a short hash of the database the worker serves, so several stacks on one host (the
 * main one, the fault and integration-test stacks) never take each other's folders for their own. A run removes its
 * own folder when it ends; a worker that was killed cannot. At start a worker removes every folder of its stack whose
 * execution is over (terminal status) or gone; folders of runs still in progress (another worker process of the same
 * stack on this host) are left alone.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { config } from '../common/config';
import type { Pool } from '../common/db';

/** The stack's mark in folder names: the first 8 hex digits of SHA-256 of its database URL. */
export function stackMark(databaseUrl: string = config().database.url): string {
  return createHash('sha256').update(databaseUrl).digest('hex').slice(0, 8);
}

/** The prefix for `fs.mkdtemp` of one run's folder. */
export function runFolderPrefix(executionId: number, tmpDir: string = os.tmpdir()): string {
  return path.join(tmpDir, `attune-exec-${stackMark()}-${executionId}-`);
}
const IN_PROGRESS = ['requested', 'scheduling', 'scheduled', 'running', 'canceling', 'paused'];

export async function removeLeftoverRunFolders(pool: Pool, tmpDir: string = os.tmpdir(), mark: string = stackMark()): Promise<number> {
  const PATTERN = new RegExp(`^attune-exec-${mark}-(\\d+)-[A-Za-z0-9]+$`);
  let names: string[];
  try {
    names = await fs.promises.readdir(tmpDir);
  } catch {
    return 0;
  }
  const folders = names.map((n) => ({ n, m: PATTERN.exec(n) })).filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null);
  if (folders.length === 0) return 0;
  const ids = [...new Set(folders.map((f) => Number(f.m[1])))];
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id::text FROM execution WHERE id = ANY($1::bigint[]) AND status::text = ANY($2::text[])`,
    [ids, IN_PROGRESS],
  );
  const busy = new Set(rows.map((r) => Number(r.id)));
  let removed = 0;
  for (const f of folders) {
    if (busy.has(Number(f.m[1]))) continue;
    await fs.promises.rm(path.join(tmpDir, f.n), { recursive: true, force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
