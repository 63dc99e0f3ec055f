import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../stack/api/http';
import {
  FetchError, entryMatches, fetchBounded, headersProblem, parseIndex, urlProblem, verifyChecksum, type IndexEntry,
} from '../../stack/api/pack-registry';
import { bytesAnswer, LoopbackHttpServer } from '../../support/loopback-http';

const entry = (over: Record<string, unknown> = {}) => ({
  ref: 'demo', label: 'Demo', description: 'A demo pack', version: '1.0.0', author: 'me', license: 'MIT', keywords: ['alpha'],
  runtime_deps: [], install_sources: [{ type: 'archive', url: 'http://h/p.tar.gz', checksum: 'sha256:00' }], contents: {}, ...over,
});
const index = (packs: unknown[]) => Buffer.from(JSON.stringify({ registry_name: 'r', registry_url: 'http://r', version: '1.0', last_updated: 'now', packs }));

describe('pack registry documents', () => {
  it('reads an index and refuses one missing its fields or with a bad source', () => {
    assert.deepEqual(parseIndex(index([entry()])).map((e) => e.ref), ['demo']);
    assert.throws(() => parseIndex(Buffer.from('{')), FetchError);
    assert.throws(() => parseIndex(Buffer.from(JSON.stringify({ packs: [] }))), /registry_name/);
    assert.throws(() => parseIndex(index([entry({ version: 1 })])), /version/);
    assert.throws(() => parseIndex(index([entry({ install_sources: [{ type: 'git', url: 'u', checksum: 'c' }] })])), /git source no ref/);
    assert.throws(() => parseIndex(index([entry({ install_sources: [{ type: 'svn', url: 'u', checksum: 'c' }] })])), /unknown type/);
  });

  it('matches a query against ref, label, description, use case and keywords, case-insensitively', () => {
    const e = entry({ use_case: 'Paging on-call' }) as unknown as IndexEntry;
    for (const q of ['', 'demo', 'a demo', 'paging', 'alpha']) assert.equal(entryMatches(e, q), true, q);
    assert.equal(entryMatches(e, 'beta'), false);
  });

  it('refuses managed or malformed headers and URLs that are not plain http(s)', () => {
    assert.equal(headersProblem({ Authorization: 'Bearer x' }), null);
    for (const bad of [{ Host: 'x' }, { 'X-Forwarded-For': 'x' }, { 'Proxy-Foo': 'x' }, { 'bad name': 'x' }, { a: 1 }, { a: 'x\ny' }, [], null]) {
      assert.notEqual(headersProblem(bad), null, JSON.stringify(bad));
    }
    assert.equal(urlProblem('https://r.example/index.json'), null);
    for (const bad of ['', 'not a url', 'ftp://h/x', 'http://u:p@h/x', 5]) assert.notEqual(urlProblem(bad), null, String(bad));
  });

  it('checks an archive against a sha256 checksum of 64 lower-case hex digits', () => {
    const bytes = Buffer.from('archive');
    const good = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    verifyChecksum(bytes, good);
    assert.throws(() => verifyChecksum(Buffer.from('other'), good), (e: unknown) => e instanceof ApiError && e.status === 400 && /Checksum mismatch/.test(e.message));
    assert.throws(() => verifyChecksum(bytes, good.toUpperCase()), /Invalid checksum/);
    assert.throws(() => verifyChecksum(bytes, 'md5:abc'), /Invalid checksum/);
  });
});

describe('bounded fetches', () => {
  it('returns the body, and fails on an error status, an oversized body and a server that never answers', async () => {
    const server = await LoopbackHttpServer.start('127.0.0.1');
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      server.answer('GET', '/a', bytesAnswer(200, Buffer.from('12345')));
      assert.equal((await fetchBounded(`${server.baseUrl}/a`, {}, 2000, 10)).toString(), '12345');
      await assert.rejects(fetchBounded(`${server.baseUrl}/a`, {}, 2000, 4), /exceeds 4 bytes/);
      await assert.rejects(fetchBounded(`${server.baseUrl}/none`, {}, 2000, 10), /HTTP 599/);
      const port = (silent.address() as AddressInfo).port;
      await assert.rejects(fetchBounded(`http://127.0.0.1:${port}/`, {}, 200, 10), /no answer within 0.2 s/);
    } finally {
      silent.closeAllConnections();
      silent.close();
      await server.close();
    }
  });
});
