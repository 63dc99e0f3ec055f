/** The packages the suite builds in memory for packs to ship: wheels (zip + RECORD) and npm tarballs (package/…). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { buildNpmTarball, npmTarballName } from '../../support/npm-packages';
import { buildWheel, offlineRequirements, pythonImportName, wheelFileName } from '../../support/python-packages';

test('wheel: file name, entries, and a RECORD whose hashes and sizes match', () => {
  const pkg = { name: 'e2e-greeting', version: '1.0.0' };
  assert.equal(pythonImportName('E2E-Greeting.x'), 'e2e_greeting_x');
  assert.equal(wheelFileName(pkg), 'e2e_greeting-1.0.0-py3-none-any.whl');
  const wheel = buildWheel(pkg);
  assert.deepEqual(wheel, buildWheel(pkg), 'the same package gives the same bytes');
  const entries = unzipSync(new Uint8Array(wheel));
  assert.deepEqual(Object.keys(entries).sort(), [
    'e2e_greeting-1.0.0.dist-info/METADATA',
    'e2e_greeting-1.0.0.dist-info/RECORD',
    'e2e_greeting-1.0.0.dist-info/WHEEL',
    'e2e_greeting/__init__.py',
  ]);
  const text = (name: string) => Buffer.from(entries[name]).toString('utf8');
  assert.match(text('e2e_greeting-1.0.0.dist-info/METADATA'), /^Metadata-Version: 2\.1\nName: e2e-greeting\nVersion: 1\.0\.0\n/);
  assert.match(text('e2e_greeting/__init__.py'), /__version__ = "1\.0\.0"/);
  const record = text('e2e_greeting-1.0.0.dist-info/RECORD').trim().split('\n').map((line) => line.split(','));
  for (const [name, hash, size] of record) {
    if (name.endsWith('RECORD')) {
      assert.deepEqual([hash, size], ['', '']);
      continue;
    }
    assert.equal(hash, `sha256=${createHash('sha256').update(entries[name]).digest('base64url')}`, name);
    assert.equal(Number(size), entries[name].length, name);
  }
  assert.equal(offlineRequirements(['a==1', 'b==2']), '--no-index\n--find-links wheels\na==1\nb==2\n');
});

test('npm tarball: npm pack layout (package/package.json, package/index.js) and name', () => {
  const pkg = { name: 'e2e-numbers', version: '2.0.0' };
  assert.equal(npmTarballName(pkg), 'e2e-numbers-2.0.0.tgz');
  assert.equal(npmTarballName({ name: '@scope/x', version: '1.0.0' }), 'scope-x-1.0.0.tgz');
  const tar = gunzipSync(buildNpmTarball(pkg));
  const names: string[] = [];
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.subarray(at, at + 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(tar.subarray(at + 124, at + 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    names.push(name);
    if (name === 'package/package.json') {
      assert.deepEqual(JSON.parse(tar.subarray(at + 512, at + 512 + size).toString('utf8')).version, '2.0.0');
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  assert.deepEqual(names, ['package/index.js', 'package/package.json']);
});
