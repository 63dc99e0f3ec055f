/**
 * Acts on packs. Every scenario has its own pack (`world.packRef`), created on first need or by a Background step,
 * or installed from files the scenario wrote (`addPackFile`, then `installPackFromFiles`: a .tar.gz uploaded with
 * `POST /api/v1/packs/upload`, contract §7 / internals §7.1).
 */
import { stringify as toYaml } from 'yaml';
import type { RawResponse } from '../api/client';
import { ApiError, unwrap, unwrapBody } from '../api/envelopes';
import { packArchive, type PackFiles } from '../pack-archive';
import type { AttuneWorld } from '../world';
import { gone } from './common';

import type { Pack } from '../api/models';

export type { Pack };

export async function deletePack(world: AttuneWorld, ref: string): Promise<void> {
  gone(await world.api.DELETE('/api/v1/packs/{ref}', { params: { path: { ref } } }), `deleting pack ${ref}`);
}

/** Creates a pack owned by the tenant (default ref: the scenario's namespace) and schedules its deletion. */
export async function createPack(world: AttuneWorld, options: { ref?: string; name?: string; description?: string } = {}): Promise<Pack> {
  const ref = options.ref ?? (world.packCreated ? world.uniq('pack') : world.packRef);
  const pack = unwrap(
    await world.api.POST('/api/v1/packs', {
      body: {
        ref,
        label: options.name ?? `E2E pack ${ref}`,
        version: '1.0.0',
        description: options.description ?? 'Created by the acceptance suite for one scenario.',
      },
    }),
    `creating pack ${ref}`,
  );
  world.onCleanup(`delete pack ${ref}`, () => deletePack(world, ref));
  if (ref === world.packRef) world.packCreated = true;
  world.remember('pack', options.name ?? (ref === world.packRef ? 'my pack' : ref), pack);
  return pack;
}

/** The scenario's own pack, created the first time something needs it. */
export async function ensureOwnPack(world: AttuneWorld): Promise<string> {
  if (!world.packCreated) await createPack(world);
  return world.packRef;
}

// ---- installing the scenario's pack from files ----------------------------------------------------------------------

const PACK_FILES = 'pack files';

/**
 * Where pack files name the scenario's pack: every `<pack>` in a file's text stands for `world.packRef`, so a file can
 * hold real refs (`ref: <pack>.shout`, `action: <pack>.shout`) while refs stay unique per scenario.
 */
export const PACK_REF_PLACEHOLDER = '<pack>';

/** The files of the scenario's pack written so far (path inside the pack → text, or bytes), not yet installed. */
export function packFiles(world: AttuneWorld): PackFiles {
  world.scratch[PACK_FILES] ??= {};
  return world.scratch[PACK_FILES] as PackFiles;
}

/** Adds (or replaces) a file of the scenario's pack, `<pack>` filled in (in text; bytes are kept as they are); nothing is uploaded yet. */
export function addPackFile(world: AttuneWorld, filePath: string, content: string | Buffer): void {
  packFiles(world)[filePath] = typeof content === 'string' ? content.split(PACK_REF_PLACEHOLDER).join(world.packRef) : content;
}

/** A `pack.yaml` for the scenario's pack, or for another pack `ref` of the scenario (used when the files hold none). */
export function defaultPackManifest(world: AttuneWorld, ref: string = world.packRef): string {
  return toYaml({
    ref,
    label: `E2E pack ${ref}`,
    description: 'Installed from files by the acceptance suite for one scenario.',
    version: '1.0.0',
  });
}

export interface InstallOptions {
  /** replace the installed pack of that ref */
  force?: boolean;
  /** send `skip_tests` (default true: the pack's own tests, if it has any, are not run) */
  skipTests?: boolean;
}

/**
 * Uploads `files` as pack `ref` (archive folder `<ref>/`, `skip_tests` true unless `skipTests: false`; `force` replaces
 * the installed pack of that ref) as the scenario's tenant and returns the raw answer. A `pack.yaml` is added when the files hold none.
 */
export async function uploadPack(world: AttuneWorld, ref: string, files: PackFiles, options: InstallOptions = {}): Promise<RawResponse> {
  const contents: PackFiles = { 'pack.yaml': defaultPackManifest(world, ref), ...files };
  const form = new FormData();
  form.append('pack', new Blob([packArchive(contents, ref)], { type: 'application/gzip' }), `${ref}.tar.gz`);
  if (options.skipTests ?? true) form.append('skip_tests', 'true');
  if (options.force) form.append('force', 'true');
  return world.api.raw('POST', '/api/v1/packs/upload', form);
}

/**
 * Uploads the files as the scenario's pack (see uploadPack) and returns the raw answer. A pack that was stored is
 * deleted at cleanup and becomes "my pack". `force` installs them again over the pack a step installed before.
 */
export async function attemptPackInstall(world: AttuneWorld, files: PackFiles = packFiles(world), options: InstallOptions = {}): Promise<RawResponse> {
  if (world.packCreated && !options.force) {
    throw new Error(`the scenario's pack ${world.packRef} already exists (a step created it); installing it from files needs a scenario without it`);
  }
  const response = await uploadPack(world, world.packRef, files, options);
  world.remember('pack install answer', 'my pack', response);
  if (response.ok) {
    const ref = world.packRef;
    if (!world.packCreated) world.onCleanup(`delete pack ${ref}`, () => deletePack(world, ref));
    world.packCreated = true;
    const installed = unwrapBody(response.body) as { pack?: Pack } | null;
    if (installed?.pack) world.remember('pack', 'my pack', installed.pack);
  }
  return response;
}

/** Installs the files as the scenario's pack; 201 (or 200) expected. Returns the installed pack as answered. */
export async function installPackFromFiles(world: AttuneWorld, files: PackFiles = packFiles(world), options: InstallOptions = {}): Promise<Pack | undefined> {
  const response = await attemptPackInstall(world, files, options);
  if (response.status !== 201 && response.status !== 200) {
    throw new ApiError('POST', '/api/v1/packs/upload', response.status, response.body, `installing pack ${world.packRef} from its files (201 expected)`);
  }
  return (unwrapBody(response.body) as { pack?: Pack } | null)?.pack;
}

/** Sets the configuration (`config`) of the scenario's own pack (PUT, the rest of the pack unchanged); returns the pack. */
export async function configureOwnPack(world: AttuneWorld, config: Record<string, unknown>): Promise<Pack> {
  const ref = await ensureOwnPack(world);
  const response = await world.api.raw('PUT', `/api/v1/packs/${encodeURIComponent(ref)}`, { config });
  if (!response.ok) throw new ApiError('PUT', `/api/v1/packs/${ref}`, response.status, response.body, `setting the configuration of pack ${ref}`);
  return unwrapBody(response.body) as Pack;
}
