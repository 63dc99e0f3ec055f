/**
 * A pack's package.json as the environment folder needs it: the worker installs a Node pack's dependencies in
 * `{runtime_envs_dir}/{pack}/node`, not in the pack folder, so every local spec (`file:vendor/x.tgz`, `./lib/y`)
 * is rewritten to the absolute path it means from the pack folder. Registry specs stay as they are.
 */
import * as path from 'node:path';
import { stringifyExact } from '../../common/exact-json';

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const;

export class ManifestError extends Error {}

function isLocalSpec(spec: string): boolean {
  return spec.startsWith('file:') || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
}

function absoluteSpec(spec: string, packDir: string): string {
  const target = spec.startsWith('file:') ? spec.slice('file:'.length) : spec;
  return `file:${path.resolve(packDir, target)}`;
}

/** The manifest text for the environment folder; throws ManifestError when it is not a JSON object. */
export function stagedPackageJson(text: string, packDir: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`package.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ManifestError('package.json must hold a JSON object');
  const manifest = { ...(parsed as Record<string, unknown>) };
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) continue;
    const rewritten: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      rewritten[name] = typeof spec === 'string' && isLocalSpec(spec) ? absoluteSpec(spec, packDir) : spec;
    }
    manifest[field] = rewritten;
  }
  // the environment is not a package of its own: never publishable, no workspaces to link
  manifest.private = true;
  delete manifest.workspaces;
  return `${stringifyExact(manifest, null, 2)}\n`;
}
