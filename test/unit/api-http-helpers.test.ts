import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { ApiError, pageOf, parsePaging } from '../../stack/api/http';
import { isPatchOp, readPatch, UpdateBuilder } from '../../stack/api/patch';
import { describeValidation } from '../../stack/api/server';
import { ipAllowed, signatureValid } from '../../stack/api/routes/webhooks';

describe('parsePaging', () => {
  it('defaults to page 1 and the family default size', () => {
    assert.deepEqual(parsePaging({}, 50), { page: 1, pageSize: 50, limit: 50, offset: 0 });
    assert.deepEqual(parsePaging(undefined, 20), { page: 1, pageSize: 20, limit: 20, offset: 0 });
  });
  it('accepts page_size and per_page, capping the SQL limit at 100 but echoing the size', () => {
    assert.deepEqual(parsePaging({ page: '3', per_page: '10' }), { page: 3, pageSize: 10, limit: 10, offset: 20 });
    assert.deepEqual(parsePaging({ page_size: 500 }), { page: 1, pageSize: 500, limit: 100, offset: 0 });
  });
  it('rejects non-positive or non-integer values with a 400', () => {
    for (const q of [{ page: 0 }, { page: -1 }, { page: 'x' }, { page_size: 1.5 }]) {
      assert.throws(() => parsePaging(q), (e: unknown) => e instanceof ApiError && e.status === 400, JSON.stringify(q));
    }
  });
});

describe('pageOf', () => {
  it('emits items, data and pagination with previous/next flags', () => {
    const p = pageOf([1, 2], { page: 2, pageSize: 2, limit: 2, offset: 2 }, 5);
    assert.deepEqual(p.items, [1, 2]);
    assert.equal(p.data, p.items);
    assert.deepEqual(p.pagination, { page: 2, page_size: 2, total_items: 5, total_pages: 3, has_previous: true, has_next: true });
  });
  it('has one page when empty', () => {
    assert.deepEqual(pageOf([], { page: 1, pageSize: 50, limit: 50, offset: 0 }, 0).pagination, {
      page: 1, page_size: 50, total_items: 0, total_pages: 1, has_previous: false, has_next: false,
    });
  });
});

describe('patch operations', () => {
  it('reads op-patches, plain values and absence', () => {
    assert.deepEqual(readPatch(undefined), { kind: 'keep' });
    assert.deepEqual(readPatch(null), { kind: 'keep' });
    assert.deepEqual(readPatch({ op: 'clear' }), { kind: 'clear' });
    assert.deepEqual(readPatch({ op: 'set', value: 'x' }), { kind: 'set', value: 'x' });
    assert.deepEqual(readPatch('x'), { kind: 'set', value: 'x' });
    assert.deepEqual(readPatch({ a: { type: 'string' } }), { kind: 'set', value: { a: { type: 'string' } } });
  });
  it('does not mistake a schema with an `op` field for a patch', () => {
    assert.ok(!isPatchOp({ op: { type: 'string' } }));
    assert.ok(!isPatchOp({ op: 'set', value: 1, other: 2 }));
  });
  it('builds UPDATE and INSERT fragments', () => {
    const params: unknown[] = ['id'];
    const b = new UpdateBuilder(params).set('a', 1).set('skip', undefined).patch('b', { op: 'clear' }).set('c', '{}', '::jsonb');
    assert.equal(b.sql(), 'a = $2, b = NULL, c = $3::jsonb');
    assert.equal(b.insertSql(), '(a, b, c) VALUES ($2, NULL, $3::jsonb)');
    assert.deepEqual(params, ['id', 1, '{}']);
    assert.ok(new UpdateBuilder([]).empty);
  });
});

describe('describeValidation', () => {
  it('names the field of the first schema violation', () => {
    assert.equal(describeValidation([{ instancePath: '', keyword: 'required', params: { missingProperty: 'login' } }], 'body'), 'login: missing required field');
    assert.equal(describeValidation([{ instancePath: '/password', keyword: 'minLength', message: 'must NOT have fewer than 8 characters' }], 'body'), 'password: must NOT have fewer than 8 characters');
    assert.equal(describeValidation([{ instancePath: '/a/b', keyword: 'type', params: { type: 'string,null' } }], 'body'), 'a.b: must be string or null');
    assert.equal(describeValidation([{ instancePath: '', keyword: 'type', params: { type: 'object' } }], 'body'), 'body: must be object');
    assert.equal(describeValidation([{ instancePath: '/status', keyword: 'enum', params: { allowedValues: ['a', 'b'] } }], 'querystring'), 'status: must be one of a, b');
  });
});

describe('webhook receiver helpers', () => {
  it('allows exact addresses and IPv4 CIDR ranges', () => {
    assert.ok(ipAllowed('10.1.2.3', ['10.0.0.0/8']));
    assert.ok(ipAllowed('::ffff:192.168.1.5', ['192.168.1.0/24']));
    assert.ok(ipAllowed('2001:db8::1', ['2001:db8::1']));
    assert.ok(!ipAllowed('11.0.0.1', ['10.0.0.0/8', 'junk', 5]));
    assert.ok(ipAllowed('1.2.3.4', ['0.0.0.0/0']));
  });
  it('verifies HMAC signatures with or without the algorithm prefix', () => {
    const body = Buffer.from('{"payload":1}');
    const hex = crypto.createHmac('sha256', 'k').update(body).digest('hex');
    assert.ok(signatureValid(body, 'k', 'sha256', `sha256=${hex}`));
    assert.ok(signatureValid(body, 'k', 'sha256', hex));
    assert.ok(!signatureValid(body, 'other', 'sha256', hex));
    assert.ok(!signatureValid(body, 'k', 'sha256', 'sha256=zz'));
    assert.ok(!signatureValid(body, 'k', 'nope-algorithm', hex));
  });
});
