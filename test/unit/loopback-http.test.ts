import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closedLoopbackPort, jsonAnswer, LoopbackHttpServer, textAnswer } from '../../support/loopback-http';

describe('LoopbackHttpServer', () => {
  it('answers programmed paths and records every request', async () => {
    const server = await LoopbackHttpServer.start('127.0.0.1');
    try {
      server.answer('POST', '/orders', jsonAnswer(201, '{"id": 42}', { 'X-Served-By': 'unit' }));
      server.answer('GET', '/missing', textAnswer(404, 'nope'));
      const posted = await fetch(`${server.baseUrl}/orders?x=1`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Trace': 't-1' }, body: '{"item":"disk"}' });
      assert.equal(posted.status, 201);
      assert.equal(posted.headers.get('x-served-by'), 'unit');
      assert.deepEqual(await posted.json(), { id: 42 });
      const missing = await fetch(`${server.baseUrl}/missing`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), 'nope');
      const unprogrammed = await fetch(`${server.baseUrl}/elsewhere`);
      assert.equal(unprogrammed.status, 599);
      await unprogrammed.text();
      const seen = server.requests();
      assert.deepEqual(seen.map((r) => `${r.method} ${r.path}`), ['POST /orders?x=1', 'GET /missing', 'GET /elsewhere']);
      assert.equal(seen[0].headers['x-trace'], 't-1');
      assert.equal(seen[0].headers['content-type'], 'application/json');
      assert.equal(seen[0].body, '{"item":"disk"}');
      assert.equal(seen[1].body, '');
    } finally {
      await server.close();
    }
  });

  it('holds a request until the server closes, then drops it', async () => {
    const server = await LoopbackHttpServer.start('127.0.0.1');
    server.answer('GET', '/slow', { kind: 'hold' });
    const pending = fetch(`${server.baseUrl}/slow`).then(
      (r) => `answered ${r.status}`,
      (e: Error) => `dropped: ${e.message}`,
    );
    // the request is recorded once its body has ended: poll for it (up to 2 s)
    for (let i = 0; i < 200 && server.requests().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(server.requests().map((r) => r.path), ['/slow']);
    await server.close();
    assert.match(await pending, /^dropped: /);
    await server.close(); // twice is harmless
  });

  it('a closed port refuses connections', async () => {
    const { baseUrl } = await closedLoopbackPort();
    await assert.rejects(fetch(`${baseUrl}/status`));
  });
});
