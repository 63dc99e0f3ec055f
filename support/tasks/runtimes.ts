/**
 * Acts on packs whose actions run in the Python and Node.js runtimes, with the dependencies they bring along: the
 * scenario writes a pack's files (wheels and requirements.txt, npm tarballs and package.json, a pack's own
 * node_modules, the action's YAML and code), installs the pack by upload, and runs its actions.
 *
 * "my pack" is the scenario's own pack (its files are the ones support/tasks/packs.ts collects, so the generic
 * "my pack's file … holds" step adds to them); other packs of the scenario are named ("alpha", "beta") and each gets
 * its own unique ref. Everything a pack needs travels inside its upload (docs/runtimes.md).
 */
import { stringify as toYaml } from 'yaml';
import { ApiError, unwrapBody } from '../api/envelopes';
import { npmTarballName, npmPackageFiles, buildNpmTarball, type NpmPackage } from '../npm-packages';
import type { PackFiles } from '../pack-archive';
import { buildWheel, offlineRequirements, wheelFileName, type PythonPackage } from '../python-packages';
import { slug, type AttuneWorld } from '../world';
import { runAction, type Execution } from './executions';
import { deletePack, installPackFromFiles, packFiles, uploadPack, type Pack } from './packs';

export type ActionLanguage = 'python' | 'node';

/** A pack of the scenario as files, before and after its upload. */
export interface PackDraft {
  /** "my pack", or the name the feature gave ("alpha") */
  label: string;
  ref: string;
  files: PackFiles;
  /** lines of requirements.txt after the options that point pip at the pack's wheels */
  requirements: string[];
  /** package.json `dependencies` (name → spec) */
  npmDependencies: Record<string, string>;
  installed: boolean;
}

const DRAFTS = 'pack drafts';
export const MY_PACK = 'my pack';

function drafts(world: AttuneWorld): Map<string, PackDraft> {
  world.scratch[DRAFTS] ??= new Map<string, PackDraft>();
  return world.scratch[DRAFTS] as Map<string, PackDraft>;
}

/** The draft of "my pack" (`name` undefined or "my pack") or of the scenario's pack called `name`. */
export function packDraft(world: AttuneWorld, name: string = MY_PACK): PackDraft {
  const known = drafts(world).get(name);
  if (known) return known;
  const mine = name === MY_PACK;
  const draft: PackDraft = {
    label: mine ? MY_PACK : `pack "${name}"`,
    ref: mine ? world.packRef : world.uniq(name),
    files: mine ? packFiles(world) : {},
    requirements: [],
    npmDependencies: {},
    installed: mine ? world.packCreated : false,
  };
  drafts(world).set(name, draft);
  return draft;
}

/** Every pack draft of the scenario ("my pack" only once a step used it), in the order they were first named. */
export function packDrafts(world: AttuneWorld): PackDraft[] {
  return [...drafts(world).values()];
}

/** The ref an action called `name` has in the pack. */
export function actionRefIn(draft: PackDraft, name: string): string {
  return `${draft.ref}.${slug(name)}`;
}

// ---- Python ---------------------------------------------------------------------------------------------------------

/** Puts the wheel of each version into the pack's `wheels/` folder. */
export function shipPythonPackage(draft: PackDraft, name: string, versions: readonly string[]): string[] {
  return versions.map((version) => {
    const pkg: PythonPackage = { name, version };
    const file = `wheels/${wheelFileName(pkg)}`;
    draft.files[file] = buildWheel(pkg);
    return file;
  });
}

/** Adds requirement lines to the pack's requirements.txt (which installs only from its own wheels). */
export function requirePython(draft: PackDraft, requirements: readonly string[]): void {
  draft.requirements.push(...requirements);
  draft.files['requirements.txt'] = offlineRequirements(draft.requirements);
}

/** Replaces the requirement lines of the pack's requirements.txt. */
export function replacePythonRequirements(draft: PackDraft, requirements: readonly string[]): void {
  draft.requirements = [];
  requirePython(draft, requirements);
}

// ---- Node.js --------------------------------------------------------------------------------------------------------

/** Puts the `npm pack` tarball of each version into the pack's `vendor/` folder. */
export function shipNpmTarball(draft: PackDraft, name: string, versions: readonly string[]): string[] {
  return versions.map((version) => {
    const pkg: NpmPackage = { name, version };
    const file = `vendor/${npmTarballName(pkg)}`;
    draft.files[file] = buildNpmTarball(pkg);
    return file;
  });
}

/** Makes the pack's package.json depend on a tarball it ships (`file:vendor/<name>-<version>.tgz`). */
export function dependOnNpmTarball(draft: PackDraft, name: string, version: string): void {
  const file = `vendor/${npmTarballName({ name, version })}`;
  draft.npmDependencies[name] = `file:${file}`;
  draft.files['package.json'] = `${JSON.stringify(
    { name: slug(draft.ref).replace(/_/g, '-'), version: '1.0.0', private: true, dependencies: draft.npmDependencies },
    null,
    2,
  )}\n`;
}

/** Puts the package, unpacked, into the pack's own `node_modules/<name>/` (no package.json needed at the pack root). */
export function shipNpmModule(draft: PackDraft, name: string, version: string): void {
  for (const [file, content] of Object.entries(npmPackageFiles({ name, version }))) draft.files[`node_modules/${name}/${file}`] = content;
}

// ---- actions --------------------------------------------------------------------------------------------------------

const LANGUAGES: Record<ActionLanguage, { runner: string; extension: string }> = {
  python: { runner: 'python', extension: 'py' },
  node: { runner: 'nodejs', extension: 'js' },
};

/**
 * Writes `actions/<name>.yaml` and its script: runner `python` / `nodejs`, output parsed as JSON into
 * `result.data`. `<pack>` in the code stands for the pack's ref.
 */
export function addScriptAction(draft: PackDraft, language: ActionLanguage, name: string, code: string): string {
  const { runner, extension } = LANGUAGES[language];
  const base = slug(name);
  const ref = actionRefIn(draft, name);
  draft.files[`actions/${base}.yaml`] = toYaml({
    ref,
    label: name,
    description: `Acceptance-suite ${language} action "${name}"`,
    runner_type: runner,
    entry_point: `${base}.${extension}`,
    output_format: 'json',
    enabled: true,
  });
  draft.files[`actions/${base}.${extension}`] = code.split('<pack>').join(draft.ref);
  return ref;
}

// ---- installing and running -----------------------------------------------------------------------------------------

/** Uploads the pack's files (again, with `force`, once it is installed); deleted at cleanup. */
export async function installDraft(world: AttuneWorld, draft: PackDraft): Promise<Pack | undefined> {
  if (draft.label === MY_PACK) {
    const pack = await installPackFromFiles(world, draft.files, { force: world.packCreated });
    draft.installed = true;
    return pack;
  }
  const response = await uploadPack(world, draft.ref, draft.files, { force: draft.installed });
  if (response.status !== 201 && response.status !== 200) {
    throw new ApiError('POST', '/api/v1/packs/upload', response.status, response.body, `installing ${draft.label} (${draft.ref}) from its files`);
  }
  if (!draft.installed) {
    const ref = draft.ref;
    world.onCleanup(`delete pack ${ref}`, () => deletePack(world, ref));
    draft.installed = true;
  }
  return (unwrapBody(response.body) as { pack?: Pack } | null)?.pack;
}

/** Runs the pack's action `name`; remembered as "<label> <name> #<n>" and as the last execution. */
export async function runPackAction(world: AttuneWorld, draft: PackDraft, name: string, parameters: Record<string, unknown> = {}): Promise<Execution> {
  const runs = packRuns(world, draft);
  const run = await runAction(world, actionRefIn(draft, name), parameters, `${draft.label} ${name} #${runs.length + 1}`);
  runs.push(run.id);
  return run;
}

/** The ids of the runs of the pack's actions this scenario started with runPackAction, in start order. */
export function packRuns(world: AttuneWorld, draft: PackDraft): number[] {
  const key = `runs of ${draft.ref}`;
  world.scratch[key] ??= [];
  return world.scratch[key] as number[];
}
