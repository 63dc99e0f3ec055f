/**
 * The per-run temp folders of the worker (`<tmp>/attune-exec-<execution id>-XXXXXX`: inline scripts, parameter files).
 * A run removes its own folder when it ends; a worker that was killed cannot. At start a worker removes every such
 * folder whose execution is over (terminal status) or gone, on this host, whoever made it; folders of runs still in
 * progress (another worker process on the same host) are left alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from '../common/db';

const PATTERN = /^attune-exec-(\d+)-[A-Za-z0-9]+$/;
const IN_PROGRESS = ['requested', 'scheduling', 'scheduled', 'running', 'canceling', 'paused'];

export async function removeLeftoverRunFolders(pool: Pool, tmpDir: string = os.tmpdir()): Promise<number> {
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
