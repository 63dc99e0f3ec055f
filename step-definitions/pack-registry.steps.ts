/**
 * Steps about pack registry indices: registries the scenario serves itself, the indices the administrator configures
 * for them, the packs they offer, and installing or downloading packs from them. Packs are named by a short name
 * (their refs are `<scenario pack>_<name>`); in expected texts `<ref>` stands for the named pack's ref and `<id>` for
 * the index's id. The acts live in support/tasks/pack-registry.ts, the questions in support/questions/pack-registry.ts.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { unwrapBody } from '../support/api/envelopes';
import {
  actionRefsOfPack, configuredIndices, indexedPack, packAsAdmin, packsOfIndex, runAsAdminToTheEnd, type IndexRecord,
} from '../support/questions/pack-registry';
import {
  addIndex, buildEnvironments, changeIndex, corruptChecksum, downloadPacks, indexId, indexUrl, installFromIndex, offeredPack, registryPackRef,
  removeIndex, serveRegistry, type Registry,
} from '../support/tasks/pack-registry';
import type { AttuneWorld } from '../support/world';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function shown(answer: RawResponse): string {
  return `${answer.status}: ${JSON.stringify(answer.body)}`;
}

function registry(world: AttuneWorld, name: string): Registry {
  return world.recall<Registry>('pack registry', name);
}

function lastIndexAnswer(world: AttuneWorld, name: string): RawResponse {
  return world.recall<RawResponse>('pack index answer', name);
}

/** The expected index fields of a `| field | value |` table: name, position, enabled as text, headers as JSON. */
function expectedIndex(world: AttuneWorld, name: string, table: DataTable): Record<string, unknown> {
  const rows = table.rowsHash();
  const out: Record<string, unknown> = { url: indexUrl(registry(world, name)) };
  for (const [field, value] of Object.entries(rows)) {
    if (field === 'position') out.position = Number(value);
    else if (field === 'enabled') out.enabled = value === 'true';
    else if (field === 'headers') out.headers = JSON.parse(value) as unknown;
    else if (field === 'name') out.name = value === 'null' ? null : value;
    else throw new Error(`unknown index field "${field}" in the table`);
  }
  return out;
}

function checkIndexRecord(record: Record<string, unknown>, expected: Record<string, unknown>, what: string): void {
  const seen = JSON.stringify(record);
  expect(Object.keys(record).sort(), `${what}: the fields of ${seen}`).to.include.members(['id', 'url', 'position', 'enabled', 'headers', 'created', 'updated', 'name']);
  for (const [field, value] of Object.entries(expected)) expect(record[field], `${what}: "${field}" of ${seen}`).to.deep.equal(value);
  expect(record.id, `${what}: "id" of ${seen}`).to.be.a('number');
  expect(record.created, `${what}: "created" of ${seen}`).to.match(ISO_TIME);
  expect(record.updated, `${what}: "updated" of ${seen}`).to.match(ISO_TIME);
}

function filled(world: AttuneWorld, text: string, packName?: string, id?: number): string {
  let out = text;
  if (packName !== undefined) out = out.split('<ref>').join(registryPackRef(world, packName));
  if (id !== undefined) out = out.split('<id>').join(String(id));
  return out;
}

// ---- registries and indices -----------------------------------------------------------------------------------------

Given('a pack registry {string} of my own offering:', async function (this: AttuneWorld, name: string, table: DataTable) {
  const packs = table.hashes().map((row) => ({
    name: row.pack,
    version: row.version,
    actions: row.actions.split(',').map((a) => a.trim()).filter((a) => a !== ''),
  }));
  await serveRegistry(this, name, packs);
});

async function addedAt(world: AttuneWorld, name: string, body: Record<string, unknown>): Promise<void> {
  const answer = await addIndex(world, registry(world, name), body);
  expect(answer.status, `adding the registry "${name}" as a pack index: ${shown(answer)}`).to.equal(201);
}

Given('the administrator has added the registry {string} as a pack index named {string} at position {int}', async function (
  this: AttuneWorld, name: string, indexName: string, position: number,
) {
  await addedAt(this, name, { name: indexName, position });
});

When('the administrator adds the registry {string} as a pack index with:', async function (this: AttuneWorld, name: string, json: string) {
  await addIndex(this, registry(this, name), JSON.parse(json) as Record<string, unknown>);
});

When('the administrator changes the index of the registry {string} with:', async function (this: AttuneWorld, name: string, json: string) {
  await changeIndex(this, registry(this, name), JSON.parse(json) as Record<string, unknown>);
});

When('the administrator deletes the index of the registry {string}', async function (this: AttuneWorld, name: string) {
  await removeIndex(this, registry(this, name));
});

Then('the answer is {int} with the index of the registry {string}:', function (this: AttuneWorld, status: number, name: string, table: DataTable) {
  const answer = lastIndexAnswer(this, name);
  expect(answer.status, `the answer about the index of "${name}", ${shown(answer)}`).to.equal(status);
  checkIndexRecord(unwrapBody(answer.body) as Record<string, unknown>, expectedIndex(this, name, table), `the answer about the index of "${name}"`);
});

Then('the list of pack indices holds the index of the registry {string} once, exactly as answered', async function (this: AttuneWorld, name: string) {
  const answered = unwrapBody(lastIndexAnswer(this, name).body) as IndexRecord;
  const listed = (await configuredIndices(this)).filter((i) => i.id === indexId(registry(this, name)));
  expect(listed, `GET /api/v1/pack-indices: the entries with id ${answered.id}`).to.have.length(1);
  expect(listed[0], `GET /api/v1/pack-indices: the index ${answered.id}`).to.deep.equal(answered);
});

Then('deleting the index of the registry {string} answers 200 with success and the message {string}', function (this: AttuneWorld, name: string, message: string) {
  const answer = lastIndexAnswer(this, name);
  expect(answer.status, `deleting the index of "${name}", ${shown(answer)}`).to.equal(200);
  expect(answer.body, `deleting the index of "${name}"`).to.deep.equal({ success: true, message: filled(this, message, undefined, indexId(registry(this, name))) });
});

Then('the list of pack indices no longer holds the index of the registry {string}', async function (this: AttuneWorld, name: string) {
  const id = indexId(registry(this, name));
  const listed = (await configuredIndices(this)).filter((i) => i.id === id);
  expect(listed, `GET /api/v1/pack-indices: the entries with id ${id}`).to.deep.equal([]);
});

Then('changing or deleting the index of the registry {string} again is answered 404', async function (this: AttuneWorld, name: string) {
  const reg = registry(this, name);
  for (const answer of [await changeIndex(this, reg, { headers: null, name: 'again' }), await removeIndex(this, reg)]) {
    expect(answer.status, `the index of "${name}" after its deletion, ${shown(answer)}`).to.equal(404);
    expect((answer.body as { error?: unknown } | null)?.error, `the JSON error of ${shown(answer)}`).to.be.a('string');
  }
});

// ---- packs offered ----------------------------------------------------------------------------------------------------

Then('the index of the registry {string} offers exactly these packs, in this order:', async function (this: AttuneWorld, name: string, table: DataTable) {
  const reg = registry(this, name);
  const offered = await packsOfIndex(this, indexId(reg));
  const [index] = (await configuredIndices(this)).filter((i) => i.id === indexId(reg));
  const seen = offered.map((o) => ({ ref: o.pack.ref, version: o.pack.version }));
  const expected = table.hashes().map((row) => ({ ref: registryPackRef(this, row.pack), version: row.version }));
  expect(seen, `GET /api/v1/pack-indices/packs?registry_id=${indexId(reg)}`).to.deep.equal(expected);
  for (const o of offered) {
    expect(o.registry, `the registry of ${String(o.pack.ref)}`).to.deep.equal({ id: index.id, name: index.name, url: index.url, position: index.position });
  }
});

Then('the indexed pack {string} reads, from the index of the registry {string}:', async function (
  this: AttuneWorld, packName: string, name: string, table: DataTable,
) {
  const { registry: reg, pack } = offeredPack(this, packName);
  expect(reg.name, `the registry serving "${packName}"`).to.equal(name);
  const read = await indexedPack(this, pack.ref);
  expect(read.status, `GET /api/v1/pack-indices/packs/${pack.ref}: ${JSON.stringify(read.body)}`).to.equal(200);
  const data = unwrapBody(read.body) as { pack: Record<string, unknown>; registry: Record<string, unknown> };
  const rows = table.rowsHash();
  expect(data.pack.ref, 'ref').to.equal(pack.ref);
  expect(data.pack.version, 'version').to.equal(rows.version);
  expect(data.pack.label, 'label').to.equal(rows.label);
  expect((data.pack.contents as { actions?: { name: string }[] }).actions?.map((a) => a.name), 'contents.actions').to.deep.equal(rows.actions.split(',').map((a) => a.trim()));
  expect(data.pack.install_sources, 'install_sources').to.deep.equal([{ type: 'archive', url: `${reg.server.baseUrl}/packs/${pack.ref}.tar.gz`, checksum: pack.checksum }]);
  const [index] = (await configuredIndices(this)).filter((i) => i.id === indexId(reg));
  expect(data.registry, 'registry').to.deep.equal({ id: index.id, name: index.name, url: index.url, position: index.position });
});

Then('no enabled index offers the pack {string}', async function (this: AttuneWorld, packName: string) {
  const ref = registryPackRef(this, packName);
  const read = await indexedPack(this, ref);
  expect(read.status, `GET /api/v1/pack-indices/packs/${ref}: ${JSON.stringify(read.body)}`).to.equal(404);
});

// ---- installing and downloading -------------------------------------------------------------------------------------

Given('the registry {string} gives a wrong checksum for the pack {string}', function (this: AttuneWorld, name: string, packName: string) {
  expect(offeredPack(this, packName).registry.name).to.equal(name);
  corruptChecksum(this, packName);
});

When('the administrator installs the pack {string} from the pack indices', async function (this: AttuneWorld, packName: string) {
  const ref = registryPackRef(this, packName);
  await installFromIndex(this, ref, ref);
});

Then('the install succeeds with the pack {string} at version {string}', function (this: AttuneWorld, packName: string, version: string) {
  const ref = registryPackRef(this, packName);
  const answer = this.recall<RawResponse>('pack install answer', ref);
  // Attune's document says 201, its handler answers 200 (docs/decisions.md "Installing from a pack index")
  expect(answer.status, `installing ${ref} from the pack indices, ${shown(answer)}`).to.be.oneOf([200, 201]);
  const pack = (unwrapBody(answer.body) as { pack?: { ref?: unknown; version?: unknown } }).pack;
  expect({ ref: pack?.ref, version: pack?.version }, `the pack in ${shown(answer)}`).to.deep.equal({ ref, version });
});

Then('the install of {string} is refused with {int} and a JSON error containing {string}', function (this: AttuneWorld, packName: string, status: number, text: string) {
  const ref = registryPackRef(this, packName);
  const answer = this.recall<RawResponse>('pack install answer', ref);
  expect(answer.status, `installing ${ref}, ${shown(answer)}`).to.equal(status);
  expect((answer.body as { error?: unknown } | null)?.error, `the JSON error of ${shown(answer)}`).to.be.a('string').that.includes(text);
});

Then('the pack {string} is installed with exactly the actions {quotedList}', async function (this: AttuneWorld, packName: string, actions: string[]) {
  const ref = registryPackRef(this, packName);
  const read = await packAsAdmin(this, ref);
  expect(read.status, `GET /api/v1/packs/${ref}: ${JSON.stringify(read.body)}`).to.equal(200);
  expect(await actionRefsOfPack(this, ref), `the actions of ${ref}`).to.deep.equal(actions.map((a) => `${ref}.${a}`).sort());
});

Then('the pack {string} is not installed', async function (this: AttuneWorld, packName: string) {
  const ref = registryPackRef(this, packName);
  const read = await packAsAdmin(this, ref);
  expect(read.status, `GET /api/v1/packs/${ref}: ${JSON.stringify(read.body)}`).to.equal(404);
});

Then('running {string} of the pack {string} completes with the greeting {string}', async function (
  this: AttuneWorld, action: string, packName: string, greeting: string,
) {
  const ref = registryPackRef(this, packName);
  const run = await runAsAdminToTheEnd(this, `${ref}.${action}`);
  expect(run.status, `execution ${run.id} of ${ref}.${action}: ${JSON.stringify(run.result)}`).to.equal('completed');
  const data = (run.result as { data?: unknown } | null)?.data;
  expect(data, `the JSON output of execution ${run.id}`).to.deep.equal({ greeting: filled(this, greeting, packName) });
});

When('the administrator downloads the packs {quotedList}', async function (this: AttuneWorld, packNames: string[]) {
  await downloadPacks(this, packNames.map((n) => registryPackRef(this, n)));
});

Then('the download answers 200 with {int} of {int} packs downloaded and {int} failed', function (
  this: AttuneWorld, success: number, total: number, failure: number,
) {
  const answer = this.recall<RawResponse>('pack download answer', 'last');
  expect(answer.status, `the download, ${shown(answer)}`).to.equal(200);
  const data = unwrapBody(answer.body) as Record<string, unknown>;
  expect({ success_count: data.success_count, total_count: data.total_count, failure_count: data.failure_count }, `the counts of ${shown(answer)}`).to.deep.equal({
    success_count: success, total_count: total, failure_count: failure,
  });
});

Then('the download holds the pack {string} at version {string}, fetched from the registry with its checksum', function (
  this: AttuneWorld, packName: string, version: string,
) {
  const { pack } = offeredPack(this, packName);
  const data = unwrapBody(this.recall<RawResponse>('pack download answer', 'last').body) as { downloaded_packs: Record<string, unknown>[] };
  expect(data.downloaded_packs, 'downloaded_packs').to.have.length(1);
  const [got] = data.downloaded_packs;
  expect(got.pack_path, 'pack_path').to.be.a('string').that.is.not.empty;
  expect(
    { source: got.source, source_type: got.source_type, pack_ref: got.pack_ref, pack_version: got.pack_version, checksum: got.checksum },
    `downloaded_packs[0]: ${JSON.stringify(got)}`,
  ).to.deep.equal({ source: pack.ref, source_type: 'registry', pack_ref: pack.ref, pack_version: version, checksum: pack.checksum });
});

Then('the download lists {string} as failed, with an error naming it', function (this: AttuneWorld, packName: string) {
  const ref = registryPackRef(this, packName);
  const data = unwrapBody(this.recall<RawResponse>('pack download answer', 'last').body) as { failed_packs: { source: unknown; error: unknown }[] };
  expect(data.failed_packs.map((f) => f.source), 'the sources of failed_packs').to.deep.equal([ref]);
  expect(data.failed_packs[0].error, 'the error of failed_packs[0]').to.be.a('string').that.includes(ref);
});

// ---- environments -----------------------------------------------------------------------------------------------------

When('the administrator builds the environments of a folder that holds no pack', async function (this: AttuneWorld) {
  const folder = `/nonexistent/attune-e2e/${this.packRef}`;
  this.remember('folder', 'without a pack', folder);
  await buildEnvironments(this, [folder]);
});

Then('the build answers 200, builds nothing and reports the folder as failed with {string}', function (this: AttuneWorld, error: string) {
  const folder = this.recall<string>('folder', 'without a pack');
  const answer = this.recall<RawResponse>('build-envs answer', 'last');
  expect(answer.status, `the build, ${shown(answer)}`).to.equal(200);
  const data = unwrapBody(answer.body) as { built_environments: unknown[]; failed_environments: unknown[]; summary: Record<string, unknown> };
  expect(data.built_environments, 'built_environments').to.deep.equal([]);
  expect(data.failed_environments, 'failed_environments').to.deep.equal([{ pack_ref: 'unknown', pack_path: folder, runtime: 'unknown', error }]);
  const { total_duration_ms: duration, ...counts } = data.summary;
  expect(duration, 'summary.total_duration_ms').to.be.a('number');
  expect(counts, 'summary').to.deep.equal({ total_packs: 1, success_count: 0, failure_count: 1, python_envs_built: 0, nodejs_envs_built: 0 });
});
