/**
 * What the API fuzz needs before it starts, created over the wire: a pack to create things in,
 * and for every update/delete/state-change route a dedicated object of its own ("sac" = may be
 * changed at will, "del" = may be deleted), so that nothing the run needs later (the admin, its
 * permission set, core) is ever the target of a valid request. Also pack folders to register and
 * pack archives to upload.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { create as tarCreate } from 'tar';
import { call, dataOf, execute, login, settled } from '../http';
import { ADMIN } from '../itest-stack';

export interface Fixtures {
  admin: { token: string; refresh: string; id: number };
  sensorToken: string;
  webhookKey: string;
  sacIdentity: number;
  delIdentity: number;
  /** Integration tokens of the sacrificial identity: one the fuzz may revoke, one it may delete, and the secret of the first. */
  sacIntegrationToken: number;
  delIntegrationToken: number;
  integrationSecret: string;
  roleAssignment: number;
  sacSet: number;
  sacSetRef: string;
  setRoleBinding: number;
  setAssignment: number;
  sacExecution: number;
  sacInquiries: number[];
  delInquiry: number;
  /** A pack folder the register route may install (ref fuzz_reg). */
  registerDir: string;
  /** Pack archives for the upload route. */
  archives: Record<string, Buffer>;
  /** Pack registry indices: one the fuzz may change, one it may delete (their URLs are a closed local port). */
  sacIndex: number;
  delIndex: number;
  tmpRoot: string;
}

export const FUZZ_PASSWORD = 'FuzzPass123!';

const post = async <T = Record<string, unknown>>(token: string, p: string, body?: unknown): Promise<T> =>
  dataOf<T>(await call('POST', p, { token, body }), `POST ${p}`);

function writePack(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

async function tarGz(dir: string, entries: string[], opts: { prefix?: string } = {}): Promise<Buffer> {
  const out = path.join(dir, '..', `${path.basename(dir)}-${Math.random().toString(36).slice(2)}.tar.gz`);
  await tarCreate({ gzip: true, cwd: dir, file: out, portable: true, prefix: opts.prefix }, entries);
  return fs.readFileSync(out);
}

/** A raw ustar header + body for an entry node's tar writer would refuse (traversal, links). */
function rawTarEntry(name: string, body: string, type: '0' | '2' | '5' = '0', linkName = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name.slice(0, 100), 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(Buffer.byteLength(body).toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write(type, 156);
  header.write(linkName.slice(0, 100), 157);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const data = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  data.write(body);
  return Buffer.concat([header, data]);
}

function rawTarGz(entries: Buffer[]): Buffer {
  return gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)]));
}

async function buildArchives(root: string): Promise<Record<string, Buffer>> {
  const ok = path.join(root, 'upload-ok');
  writePack(ok, { 'pack.yaml': 'ref: fuzz_up\nlabel: Fuzz upload\nversion: 1.0.0\n' });
  const nested = path.join(root, 'upload-nested');
  writePack(nested, { 'fuzz_up2/pack.yaml': 'ref: fuzz_up2\nlabel: Fuzz upload 2\nversion: 1.0.0\n' });
  const noManifest = path.join(root, 'upload-nomanifest');
  writePack(noManifest, { 'README.md': 'no pack.yaml here\n' });
  const badYaml = path.join(root, 'upload-badyaml');
  writePack(badYaml, { 'pack.yaml': 'ref: [unclosed\nversion: {{\n' });
  const badRef = path.join(root, 'upload-badref');
  writePack(badRef, { 'pack.yaml': 'ref: "../../etc"\nlabel: x\nversion: 1.0.0\n' });
  const badAction = path.join(root, 'upload-badaction');
  writePack(badAction, {
    'pack.yaml': 'ref: fuzz_up3\nlabel: Fuzz upload 3\nversion: 1.0.0\n',
    'actions/a.yaml': 'ref: other.a\nentry_point: a.sh\nrunner_type: shell\nparameters: 7\n',
  });
  const okGz = await tarGz(ok, ['pack.yaml']);
  return {
    ok: okGz,
    nested: await tarGz(nested, ['fuzz_up2']),
    'no pack.yaml': await tarGz(noManifest, ['README.md']),
    'invalid YAML': await tarGz(badYaml, ['pack.yaml']),
    'bad pack ref': await tarGz(badRef, ['pack.yaml']),
    'action of another pack': await tarGz(badAction, ['pack.yaml', 'actions']),
    'path traversal': rawTarGz([rawTarEntry('pack.yaml', 'ref: fuzz_up4\nlabel: x\nversion: 1.0.0\n'), rawTarEntry('../../escape.yaml', 'x: 1\n')]),
    'absolute path': rawTarGz([rawTarEntry('/tmp/fuzz-absolute/pack.yaml', 'ref: fuzz_up5\nlabel: x\nversion: 1.0.0\n')]),
    symlink: rawTarGz([rawTarEntry('pack.yaml', '', '2', '/etc/passwd')]),
    'NUL in a name': rawTarGz([rawTarEntry('pack\0.yaml', 'ref: x\n')]),
    'not gzip': Buffer.from('this is not an archive'),
    'gzip of garbage': gzipSync(Buffer.from('garbage '.repeat(100))),
    'truncated gzip': okGz.subarray(0, Math.floor(okGz.length / 2)),
    'empty file': Buffer.alloc(0),
    'tar without gzip': Buffer.concat([rawTarEntry('pack.yaml', 'ref: fuzz_up6\nlabel: x\nversion: 1.0.0\n'), Buffer.alloc(1024)]),
  };
}

export async function createFixtures(): Promise<Fixtures> {
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-fuzz-'));
  const tokens = await login();
  const token = tokens.access_token;
  const me = dataOf<{ id: number }>(await call('GET', '/auth/me', { token }), 'GET /auth/me');

  // packs: fuzz (creates go here), fuzz_sac (updates), fuzz_del (deletes), fuzzfix (a permission set to update)
  for (const ref of ['fuzz', 'fuzz_sac', 'fuzz_del']) await post(token, '/api/v1/packs', { ref, label: `fuzz ${ref}`, version: '1.0.0' });
  const fixDir = path.join(tmpRoot, 'fuzzfix');
  writePack(fixDir, {
    'pack.yaml': 'ref: fuzzfix\nlabel: Fuzz fixtures\nversion: 1.0.0\n',
    'permission_sets/sac.yaml': 'ref: fuzzfix.sac_set\nlabel: Fuzz set\ngrants:\n  - resource: packs\n    actions: [read]\n',
  });
  await post(token, '/api/v1/packs/register', { path: fixDir });
  // a pack's own tests (pack.yaml `testing`): fuzz_reg runs them when registered without skip_tests, fuzz_tst is the
  // installed pack whose tests POST /packs/{ref}/test runs again
  const testing = (ref: string) =>
    `ref: ${ref}\nlabel: Fuzz ${ref}\nversion: 1.0.0\ntesting:\n  enabled: true\n  discovery:\n    method: directory\n    path: tests\n` +
    '  runners:\n    shell:\n      type: script\n      entry_point: tests/run.sh\n      timeout: 10\n';
  const passingTests = 'echo "Total Tests: 1"\necho "Passed: 1"\necho "Failed: 0"\n';
  const registerDir = path.join(tmpRoot, 'fuzz_reg');
  writePack(registerDir, { 'pack.yaml': testing('fuzz_reg'), 'tests/run.sh': passingTests });
  const testedDir = path.join(tmpRoot, 'fuzz_tst');
  writePack(testedDir, { 'pack.yaml': testing('fuzz_tst'), 'tests/run.sh': passingTests });
  await post(token, '/api/v1/packs/register', { path: testedDir });

  // triggers
  for (const ref of ['fuzz.hook', 'fuzz.event_trigger', 'fuzz.rule_trigger', 'fuzz.sac_trigger', 'fuzz.del_trigger']) {
    await post(token, '/api/v1/triggers', { ref, pack_ref: 'fuzz', label: ref });
  }
  const hook = await post<{ webhook_key: string }>(token, '/api/v1/triggers/fuzz.hook/webhooks/enable');
  await post(token, '/api/v1/triggers/fuzz.sac_trigger/webhooks/enable');

  // actions, workflows, rules, keys
  for (const ref of ['fuzz.sac_action', 'fuzz.del_action']) {
    await post(token, '/api/v1/actions', { ref, pack_ref: 'fuzz', label: ref, entrypoint: 'noop.sh', runtime_ref: 'shell', param_schema: { message: { type: 'string' } } });
  }
  for (const ref of ['fuzz.sac_wf', 'fuzz.del_wf']) {
    await post(token, '/api/v1/workflows', {
      ref, pack_ref: 'fuzz', label: ref, version: '1.0.0', param_schema: null, out_schema: null,
      definition: { tasks: [{ name: 'only', action: 'core.noop', input: { message: 'x' } }] },
    });
  }
  for (const ref of ['fuzz.sac_rule', 'fuzz.del_rule']) {
    await post(token, '/api/v1/rules', { ref, pack_ref: 'fuzz', label: ref, action_ref: 'core.noop', trigger_ref: 'fuzz.rule_trigger', action_params: { message: 'x' } });
  }
  await post(token, '/api/v1/keys', { ref: 'fuzz_sac_key', owner_type: 'identity', name: 'fuzz_sac_key', value: { secret: 's' }, encrypted: true });
  await post(token, '/api/v1/keys', { ref: 'fuzz_del_key', owner_type: 'identity', name: 'fuzz_del_key', value: 'v' });
  // policies (pack fuzz only, with a limit no fuzz run reaches: the fuzz must not throttle anything else)
  for (const ref of ['fuzz.sac_policy', 'fuzz.del_policy']) {
    await post(token, '/api/v1/policies', { ref, name: ref, scope: { type: 'pack', pack_ref: 'fuzz' }, concurrency: { limit: 1000, method: 'enqueue' } });
  }

  // identities, roles, permission set bindings
  const sac = await post<{ id: number }>(token, '/api/v1/identities', { login: 'fuzz-sac', password: FUZZ_PASSWORD });
  const del = await post<{ id: number }>(token, '/api/v1/identities', { login: 'fuzz-del', password: FUZZ_PASSWORD });
  const role = await post<{ id: number }>(token, `/api/v1/identities/${sac.id}/roles`, { role: 'fuzz-role' });
  const sets = (await call('GET', '/api/v1/permissions/sets', { token })).json as Array<{ id: number; ref: string }>;
  const set = sets.find((s) => s.ref === 'fuzzfix.sac_set');
  if (!set) throw new Error('the fixture permission set fuzzfix.sac_set was not registered');
  const binding = await post<{ id: number }>(token, `/api/v1/permissions/sets/${set.id}/roles`, { role: 'fuzz-role' });
  const assignment = await post<{ id: number }>(token, '/api/v1/permissions/assignments', { identity_id: sac.id, permission_set_ref: set.ref });

  // a finished execution (cancel → 409; inquiries hang off it) and inquiries on it
  const exId = await execute(token, 'core.noop', { message: 'fuzz fixture' });
  await settled(token, exId);
  const inquiries: number[] = [];
  for (let i = 0; i < 4; i++) {
    const q = await post<{ id: number }>(token, '/api/v1/inquiries', { execution: exId, prompt: `fuzz ${i}`, response_schema: { ok: { type: 'boolean', required: true } } });
    inquiries.push(q.id);
  }
  const delInquiry = await post<{ id: number }>(token, '/api/v1/inquiries', { execution: exId, prompt: 'fuzz del', response_schema: null });

  type Issued = { token: string; integration_token: { id: number } };
  const sacToken = await post<Issued>(token, `/api/v1/identities/${sac.id}/integration-tokens`, { label: 'fuzz-sac-token' });
  const delToken = await post<Issued>(token, `/api/v1/identities/${sac.id}/integration-tokens`, { label: 'fuzz-del-token' });

  for (const ref of ['fuzz.sac_sensor', 'fuzz.del_sensor']) {
    await post(token, '/api/v1/sensors', { ref, pack_ref: 'fuzz', label: ref, entrypoint: 's.sh', runtime_ref: 'core.shell', trigger_ref: 'fuzz.sac_trigger' });
  }
  // pack registry indices on the discard port of this host: every fetch of them is refused at once
  const sacIndex = await post<{ id: number }>(token, '/api/v1/pack-indices', { url: 'http://127.0.0.1:9/fuzz-sac.json', name: 'fuzz sac', position: 100 });
  const delIndex = await post<{ id: number }>(token, '/api/v1/pack-indices', { url: 'http://127.0.0.1:9/fuzz-del.json', name: 'fuzz del', position: 101 });
  const sensor = await post<{ token: string }>(token, '/auth/sensor-token', { sensor_ref: 'fuzz.sensor', trigger_types: ['fuzz.event_trigger'] });

  return {
    admin: { token, refresh: tokens.refresh_token, id: me.id },
    sensorToken: sensor.token,
    webhookKey: hook.webhook_key,
    sacIdentity: sac.id,
    delIdentity: del.id,
    sacIntegrationToken: sacToken.integration_token.id,
    delIntegrationToken: delToken.integration_token.id,
    integrationSecret: sacToken.token,
    roleAssignment: role.id,
    sacSet: set.id,
    sacSetRef: set.ref,
    setRoleBinding: binding.id,
    setAssignment: assignment.id,
    sacExecution: exId,
    sacInquiries: inquiries,
    delInquiry: delInquiry.id,
    registerDir,
    archives: await buildArchives(tmpRoot),
    sacIndex: sacIndex.id,
    delIndex: delIndex.id,
    tmpRoot,
  };
}

export const ADMIN_LOGIN = ADMIN.login;
export const ADMIN_PASSWORD = ADMIN.password;
