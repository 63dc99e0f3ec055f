/**
 * Pack registry indices (Attune 0.2.1 `/api/v1/pack-indices`, `POST /api/v1/packs/install|download|build-envs`).
 * A scenario's registries are its own loopback HTTP servers (support/loopback-http.ts, on the callback host) serving
 * an index document (`/index.json`) and one .tar.gz per pack (`/packs/<ref>.tar.gz`). Packs are named in steps by a
 * short name; their refs are `<scenario pack ref>_<name>`, unique per scenario. Configuring indices and installing
 * from them are the administrator's (Attune: packs:configure and packs:install, which the tenant persona lacks); every
 * index and every installed pack is removed at cleanup.
 */
import { createHash } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import type { RawResponse } from '../api/client';
import { ApiError, unwrapBody } from '../api/envelopes';
import { bytesAnswer, jsonAnswer, startLoopbackServer, type LoopbackHttpServer } from '../loopback-http';
import { packArchive } from '../pack-archive';
import type { AttuneWorld } from '../world';
import { deletePack } from './packs';

export interface OfferedPack {
  name: string;
  ref: string;
  version: string;
  /** action short names (`<ref>.<action>`), each printing `{"greeting": "<action> from <ref> <version>"}` */
  actions: string[];
  archive: Buffer;
  /** the checksum the index gives (the archive's own unless the scenario made it wrong) */
  checksum: string;
}

export interface Registry {
  name: string;
  server: LoopbackHttpServer;
  packs: OfferedPack[];
  /** the index id once added to the target */
  id?: number;
}

export function registryPackRef(world: AttuneWorld, name: string): string {
  return `${world.packRef}_${name}`;
}

function actionFiles(ref: string, version: string, action: string): Record<string, string> {
  return {
    [`actions/${action}.yaml`]: toYaml({
      ref: `${ref}.${action}`,
      label: action,
      description: `Prints a greeting naming ${ref} ${version}, as JSON.`,
      runner_type: 'shell',
      entry_point: `${action}.sh`,
      output_format: 'json',
      enabled: true,
    }),
    [`actions/${action}.sh`]: `#!/bin/sh\nprintf '{"greeting": "%s"}\\n' "${action} from ${ref} ${version}"\n`,
  };
}

function buildPack(world: AttuneWorld, name: string, version: string, actions: string[]): OfferedPack {
  const ref = registryPackRef(world, name);
  let files: Record<string, string> = {
    'pack.yaml': toYaml({ ref, label: `Registry pack ${name}`, description: `Offered by a registry of the acceptance suite (${name}).`, version }),
  };
  for (const action of actions) files = { ...files, ...actionFiles(ref, version, action) };
  const archive = packArchive(files, ref);
  return { name, ref, version, actions, archive, checksum: `sha256:${createHash('sha256').update(archive).digest('hex')}` };
}

/** The index entry (Attune's PackIndexEntry) of a pack the registry offers. */
export function indexEntry(registry: Registry, pack: OfferedPack): Record<string, unknown> {
  return {
    ref: pack.ref,
    label: `Registry pack ${pack.name}`,
    description: `Offered by a registry of the acceptance suite (${pack.name}).`,
    version: pack.version,
    author: 'attune-acceptance',
    license: 'Apache-2.0',
    keywords: ['e2e', pack.name],
    runtime_deps: ['shell'],
    install_sources: [{ type: 'archive', url: `${registry.server.baseUrl}/packs/${pack.ref}.tar.gz`, checksum: pack.checksum }],
    contents: {
      actions: pack.actions.map((a) => ({ name: a, description: `Prints a greeting naming ${pack.ref} ${pack.version}, as JSON.` })),
      sensors: [],
      triggers: [],
      rules: [],
      workflows: [],
    },
  };
}

function publish(registry: Registry): void {
  const doc = {
    registry_name: `E2E registry ${registry.name}`,
    registry_url: registry.server.baseUrl,
    version: '1.0',
    last_updated: '2024-01-01T00:00:00Z',
    packs: registry.packs.map((p) => indexEntry(registry, p)),
  };
  registry.server.answer('GET', '/index.json', jsonAnswer(200, JSON.stringify(doc)));
  for (const pack of registry.packs) registry.server.answer('GET', `/packs/${pack.ref}.tar.gz`, bytesAnswer(200, pack.archive));
}

/** Starts a registry of the scenario's own offering `packs` (in that order in its index); remembered by `name`. */
export async function serveRegistry(world: AttuneWorld, name: string, packs: { name: string; version: string; actions: string[] }[]): Promise<Registry> {
  const server = await startLoopbackServer(world);
  const registry: Registry = { name, server, packs: packs.map((p) => buildPack(world, p.name, p.version, p.actions)) };
  publish(registry);
  world.remember('pack registry', name, registry);
  return registry;
}

export function offeredPack(world: AttuneWorld, packName: string): { registry: Registry; pack: OfferedPack } {
  for (const [, registry] of world.recallAll<Registry>('pack registry')) {
    const pack = registry.packs.find((p) => p.name === packName);
    if (pack) return { registry, pack };
  }
  throw new Error(`no registry of this scenario offers a pack "${packName}"`);
}

/** Makes the index give a checksum that is not the archive's (the archive itself is served unchanged). */
export function corruptChecksum(world: AttuneWorld, packName: string): void {
  const { registry, pack } = offeredPack(world, packName);
  pack.checksum = `sha256:${createHash('sha256').update(`not the archive of ${pack.ref}`).digest('hex')}`;
  publish(registry);
}

export function indexUrl(registry: Registry): string {
  return `${registry.server.baseUrl}/index.json`;
}

async function deleteIndexQuietly(world: AttuneWorld, id: number): Promise<void> {
  const answer = await world.admin.raw('DELETE', `/api/v1/pack-indices/${id}`);
  if (answer.status !== 200 && answer.status !== 404) {
    throw new ApiError('DELETE', `/api/v1/pack-indices/${id}`, answer.status, answer.body, `removing pack index ${id}`);
  }
}

/** POST /api/v1/pack-indices as the administrator; the index is deleted at cleanup. Returns the raw answer. */
export async function addIndex(world: AttuneWorld, registry: Registry, body: Record<string, unknown>): Promise<RawResponse> {
  const answer = await world.admin.raw('POST', '/api/v1/pack-indices', { url: indexUrl(registry), ...body });
  world.remember('pack index answer', registry.name, answer);
  const id = (unwrapBody(answer.body) as { id?: unknown } | null)?.id;
  if (answer.status === 201 && typeof id === 'number') {
    registry.id = id;
    world.onCleanup(`delete pack index ${id} (${registry.name})`, () => deleteIndexQuietly(world, id));
  }
  return answer;
}

export async function changeIndex(world: AttuneWorld, registry: Registry, body: Record<string, unknown>): Promise<RawResponse> {
  const answer = await world.admin.raw('PUT', `/api/v1/pack-indices/${indexId(registry)}`, body);
  world.remember('pack index answer', registry.name, answer);
  return answer;
}

export async function removeIndex(world: AttuneWorld, registry: Registry): Promise<RawResponse> {
  const answer = await world.admin.raw('DELETE', `/api/v1/pack-indices/${indexId(registry)}`);
  world.remember('pack index answer', registry.name, answer);
  return answer;
}

export function indexId(registry: Registry): number {
  if (registry.id === undefined) throw new Error(`the registry "${registry.name}" was never added as an index`);
  return registry.id;
}

/** POST /api/v1/packs/install {source} as the administrator; a pack that was installed is deleted at cleanup. */
export async function installFromIndex(world: AttuneWorld, source: string, packRef: string): Promise<RawResponse> {
  const answer = await world.admin.raw('POST', '/api/v1/packs/install', { source, skip_tests: true });
  world.remember('pack install answer', packRef, answer);
  world.onCleanup(`delete pack ${packRef} (installed from an index, if it was)`, async () => {
    const gone = await world.admin.raw('DELETE', `/api/v1/packs/${encodeURIComponent(packRef)}`);
    if (gone.status !== 200 && gone.status !== 404) await deletePack(world, packRef);
  });
  return answer;
}

/** POST /api/v1/packs/download as the administrator. */
export async function downloadPacks(world: AttuneWorld, sources: string[]): Promise<RawResponse> {
  const answer = await world.admin.raw('POST', '/api/v1/packs/download', { packs: sources, destination_dir: '/tmp/attune-e2e-downloads' });
  world.remember('pack download answer', 'last', answer);
  return answer;
}

/** POST /api/v1/packs/build-envs as the administrator. */
export async function buildEnvironments(world: AttuneWorld, packPaths: string[]): Promise<RawResponse> {
  const answer = await world.admin.raw('POST', '/api/v1/packs/build-envs', { pack_paths: packPaths });
  world.remember('build-envs answer', 'last', answer);
  return answer;
}
