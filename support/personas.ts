/**
 * Personas: the permission sets the harness's admin grants to the identities it creates. They live in the fixture
 * pack `fixtures/packs/e2e_personas`, which each worker installs over the wire once per run (idempotent; a concurrent
 * install by the other worker — 409 — is fine).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ApiClient } from './api/client';
import { ApiError, listItems } from './api/envelopes';
import { eventually } from './eventually';
import { packArchive, readPackFolder } from './pack-archive';
import { projectRoot } from './target';
import type { Persona } from './world';

export const PERSONA_PACK_REF = 'e2e_personas';
export const PERSONA_PACK_DIR = path.join(projectRoot, 'fixtures', 'packs', PERSONA_PACK_REF);

export const PERSONA_SETS: Record<Persona, string> = {
  tenant: 'e2e_personas.tenant',
  viewer: 'e2e_personas.viewer',
  executor: 'e2e_personas.executor',
  editor: 'e2e_personas.editor',
  admin: 'core.admin',
};

export const PERSONAS = Object.keys(PERSONA_SETS) as Persona[];

interface PermissionSetLike {
  ref: string;
  grants?: unknown;
}

/** The permission sets the fixture pack declares (ref → grants). */
export function fixturePermissionSets(): Map<string, unknown> {
  const dir = path.join(PERSONA_PACK_DIR, 'permission_sets');
  const sets = new Map<string, unknown>();
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const doc = parseYaml(fs.readFileSync(path.join(dir, file), 'utf8')) as PermissionSetLike;
    sets.set(doc.ref, doc.grants ?? []);
  }
  return sets;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fixture pack as a .tar.gz with `pack.yaml` at the archive root. */
export function personaPackArchive(): Buffer {
  return packArchive(readPackFolder(PERSONA_PACK_DIR));
}

async function installedSets(admin: ApiClient): Promise<PermissionSetLike[]> {
  const result = await admin.GET('/api/v1/permissions/sets', { params: { query: { pack_ref: PERSONA_PACK_REF } } });
  if (!result.response.ok) {
    throw new ApiError('GET', result.response.url, result.response.status, result.error, 'listing the persona permission sets');
  }
  // a bare array per the contract; tolerate {data: [...]} / {items: [...]} as well
  return listItems<PermissionSetLike>(result.data as unknown as PermissionSetLike[]).filter(
    (s) => s.ref.startsWith(`${PERSONA_PACK_REF}.`),
  );
}

function differences(installed: PermissionSetLike[], wanted: Map<string, unknown>): { missing: string[]; changed: string[] } {
  const byRef = new Map(installed.map((s) => [s.ref, s]));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [ref, grants] of wanted) {
    const found = byRef.get(ref);
    if (!found) missing.push(ref);
    else if (canonical(found.grants) !== canonical(grants)) changed.push(ref);
  }
  return { missing, changed };
}

async function upload(admin: ApiClient, force: boolean): Promise<number> {
  const form = new FormData();
  form.append('pack', new Blob([personaPackArchive()], { type: 'application/gzip' }), `${PERSONA_PACK_REF}.tar.gz`);
  form.append('skip_tests', 'true');
  if (force) form.append('force', 'true');
  const response = await admin.raw('POST', '/api/v1/packs/upload', form);
  if (response.status === 201 || response.status === 200 || response.status === 409) return response.status;
  throw new ApiError('POST', `${admin.baseUrl}/api/v1/packs/upload`, response.status, response.body, 'installing the persona pack');
}

/** Makes sure the persona permission sets are installed as the fixture declares them. Returns what it did. */
export async function installPersonas(admin: ApiClient): Promise<string> {
  const wanted = fixturePermissionSets();
  const before = differences(await installedSets(admin), wanted);
  if (before.missing.length === 0 && before.changed.length === 0) return 'persona pack already installed';

  // missing sets: plain install (a concurrent install by the other worker answers 409, which is fine);
  // changed sets (an older fixture is installed): reinstall with force so the grants match this checkout
  const force = before.missing.length === 0 && before.changed.length > 0;
  const status = await upload(admin, force);

  await eventually(
    `the persona permission sets ${[...wanted.keys()].join(', ')} to be listed after the upload (HTTP ${status})`,
    () => installedSets(admin),
    (sets) => differences(sets, wanted).missing.length === 0,
  );
  return `persona pack ${force ? 'reinstalled (grants had changed)' : status === 409 ? 'installed concurrently by another worker' : 'installed'}`;
}
