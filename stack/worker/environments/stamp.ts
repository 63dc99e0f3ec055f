/**
 * The stamp file of a built environment (`.attune-env.json`): what it was built from and when. An environment is
 * reused as long as the pack's manifest hashes to the stamp's `manifest_sha256`; no stamp means "not built".
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STAMP_FILE } from './layout';
import { stringifyExact } from '../../common/exact-json';

export interface EnvironmentStamp {
  manifest_file: string;
  manifest_sha256: string;
  /** the interpreter the environment runs actions with (absolute path at its final place) */
  interpreter: string | null;
  built_at: string;
  /** wall time of the build: create + install commands */
  build_ms: number;
  /** each command and how long it took */
  steps: Array<{ command: string; ms: number }>;
}

export function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export async function readStamp(envDir: string): Promise<EnvironmentStamp | null> {
  try {
    const parsed = JSON.parse(await fs.promises.readFile(path.join(envDir, STAMP_FILE), 'utf8')) as Partial<EnvironmentStamp>;
    return typeof parsed.manifest_sha256 === 'string' ? (parsed as EnvironmentStamp) : null;
  } catch {
    return null;
  }
}

export async function writeStamp(envDir: string, stamp: EnvironmentStamp): Promise<void> {
  await fs.promises.writeFile(path.join(envDir, STAMP_FILE), `${stringifyExact(stamp, null, 2)}\n`);
}
