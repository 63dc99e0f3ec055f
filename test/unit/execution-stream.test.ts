import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { executionUpdateOf } from '../../stack/api/execution-updates';
import { sseEvent } from '../../stack/api/routes/execution-streams';
import { parseSseBlock } from '../../support/event-stream';

test('only execution payloads with a numeric entity_id are execution updates', () => {
  const text = '{"entity_type":"execution","entity_id":7,"status":"running"}';
  assert.deepEqual(executionUpdateOf(text), { text, fields: { entity_type: 'execution', entity_id: 7, status: 'running' } });
  assert.equal(executionUpdateOf('{"entity_type":"event","entity_id":7}'), undefined);
  assert.equal(executionUpdateOf('{"entity_type":"execution","entity_id":"7"}'), undefined);
  assert.equal(executionUpdateOf('not json'), undefined);
  assert.equal(executionUpdateOf('[1]'), undefined);
  assert.equal(executionUpdateOf(undefined), undefined);
});

test('an SSE event written by the API reads back the same in the suite client', () => {
  assert.equal(sseEvent('{"a":1}'), 'data: {"a":1}\n\n');
  assert.equal(sseEvent('one\ntwo', { event: 'append', id: '12' }), 'id: 12\nevent: append\ndata: one\ndata: two\n\n');
  const block = sseEvent('one\ntwo', { event: 'append', id: '12' }).trimEnd();
  assert.deepEqual(parseSseBlock(block, 5), { event: 'append', data: 'one\ntwo', id: '12', receivedAt: 5 });
  assert.deepEqual(parseSseBlock('data: x', 1), { event: 'message', data: 'x', id: undefined, receivedAt: 1 });
  assert.equal(parseSseBlock(':', 1), undefined);
  assert.equal(parseSseBlock(': keep-alive\n:', 1), undefined);
});
