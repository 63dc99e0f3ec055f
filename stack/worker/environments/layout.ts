/**
 * Where a pack's dependency environment lives (internals §4.10): `{runtime_envs_dir}/{pack_ref}/{runtime}`, the
 * runtime named canonically (`python`, `node`), plus the stamp file inside it and the sibling folders a build or a
 * swap uses, so a half-built environment is never seen at the final path.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { canonicalRuntimeName } from '../../common/runtimes';
import { fault } from '../../common/faults';

/** What the worker writes into every environment it built: manifest hash, interpreter, build time. */
export const STAMP_FILE = '.attune-env.json';

/** The env folder's runtime segment: `Python` → `python`, `Node.js` → `node`, unknown names lower-cased. */
export function runtimeSegment(runtimeName: string | null | undefined): string {
  const canon = canonicalRuntimeName(runtimeName ?? '');
  return (canon || 'default').replace(/[^a-z0-9._-]+/g, '_');
}

/** `{envRoot}/{packRef}/{runtime}`. */
export function environmentDir(envRoot: string, packRef: string, runtimeName: string | null | undefined): string {
  const runtime = runtimeSegment(runtimeName);
  // fault venv-shared-between-packs / node-modules-shared: one environment per runtime for every pack
  if ((runtime === 'python' && fault('venv-shared-between-packs')) || (runtime === 'node' && fault('node-modules-shared'))) {
    return path.join(envRoot, '_shared', runtime);
  }
  return path.join(envRoot, packRef, runtime);
}

function suffix(): string {
  return `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

/** A fresh sibling folder name to build into (same file system, so the final rename is atomic). */
export function buildDirFor(envDir: string): string {
  return `${envDir}.build-${suffix()}`;
}

/** A fresh sibling name the previous environment is moved to while the new one takes its place. */
export function retiredDirFor(envDir: string): string {
  return `${envDir}.old-${suffix()}`;
}
