import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedOutput, errorFromStderr, parseOutput } from '../../stack/worker/output';

describe('BoundedOutput', () => {
  it('keeps everything below the limit minus the 128-byte reserve', () => {
    const b = new BoundedOutput('stdout', 1128);
    b.push(Buffer.from('x'.repeat(600)));
    b.push(Buffer.from('y'.repeat(400)));
    assert.equal(b.truncated, false);
    assert.equal(b.bytesTruncated, 0);
    assert.equal(b.text(), 'x'.repeat(600) + 'y'.repeat(400));
  });
  it('truncates at limit - 128, appends the marker and counts dropped bytes', () => {
    const b = new BoundedOutput('stdout', 228); // capacity 100 data bytes
    b.push(Buffer.from('a'.repeat(60)));
    b.push(Buffer.from('b'.repeat(60)));
    assert.equal(b.truncated, true);
    assert.equal(b.bytesTruncated, 20);
    b.push(Buffer.from('c'.repeat(500)));
    b.push(Buffer.alloc(0));
    assert.equal(b.bytesTruncated, 520);
    const text = b.text();
    assert.equal(text, 'a'.repeat(60) + 'b'.repeat(40) + '\n\n[OUTPUT TRUNCATED: stdout exceeded size limit]\n');
    assert.ok(Buffer.byteLength(text) <= 228);
  });
  it('exactly filling the capacity is not truncation', () => {
    const b = new BoundedOutput('stderr', 138);
    b.push(Buffer.from('0123456789'));
    assert.equal(b.truncated, false);
    b.push(Buffer.from('!'));
    assert.equal(b.truncated, true);
    assert.equal(b.bytesTruncated, 1);
    assert.equal(b.text(), '0123456789\n\n[OUTPUT TRUNCATED: stderr exceeded size limit]\n');
  });
  it('does not split a UTF-8 character at the cut', () => {
    const b = new BoundedOutput('stdout', 128 + 5);
    b.push(Buffer.from('abcé€')); // 1+1+1+2+3 = 8 bytes; cut at 5 keeps "abcé"
    assert.equal(b.text().startsWith('abcé\n\n[OUTPUT TRUNCATED'), true);
    assert.equal(b.bytesTruncated, 3);
  });
  it('stores each byte that is not UTF-8 as one U+FFFD, the text around it intact', () => {
    const b = new BoundedOutput('stdout', 1024);
    b.push(Buffer.concat([Buffer.from('Binary bytes: '), Buffer.from([0xff, 0xfe, 0xfd, 0xfc]), Buffer.from(' then é, € and 😀\n')]));
    assert.equal(b.text(), 'Binary bytes: \uFFFD\uFFFD\uFFFD\uFFFD then é, € and 😀\n');
    assert.equal(b.truncated, false);
  });
  it('a character split across two chunks is decoded whole', () => {
    const b = new BoundedOutput('stdout', 1024);
    const euro = Buffer.from('€');
    b.push(Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]));
    b.push(Buffer.concat([euro.subarray(1), Buffer.from('5\n')]));
    assert.equal(b.text(), 'price: €5\n');
  });
  it('a limit at or below the reserve keeps no data', () => {
    const b = new BoundedOutput('stdout', 100);
    b.push(Buffer.from('hello'));
    assert.equal(b.truncated, true);
    assert.equal(b.bytesTruncated, 5);
    assert.equal(b.text(), '\n\n[OUTPUT TRUNCATED: stdout exceeded size limit]\n');
  });
});

describe('parseOutput', () => {
  it('never parses text or blank output', () => {
    assert.deepEqual(parseOutput('{"a":1}', 'text'), { parsed: false });
    assert.deepEqual(parseOutput('   \n', 'json'), { parsed: false });
    assert.deepEqual(parseOutput('', 'jsonl'), { parsed: false });
  });
  it('json: whole output, then the last non-blank line', () => {
    assert.deepEqual(parseOutput('{\n  "a": [1, 2]\n}\n', 'json'), { parsed: true, data: { a: [1, 2] } });
    assert.deepEqual(parseOutput('starting...\nworking\n{"result": "ok"}\n\n', 'json'), { parsed: true, data: { result: 'ok' } });
    assert.deepEqual(parseOutput('42', 'json'), { parsed: true, data: 42 });
    assert.deepEqual(parseOutput('{"a":1}\nnot json at the end', 'json'), { parsed: false });
    assert.deepEqual(parseOutput('plain text', 'json'), { parsed: false });
  });
  it('yaml: whole output', () => {
    assert.deepEqual(parseOutput('a: 1\nlist:\n  - x\n  - y\n', 'yaml'), { parsed: true, data: { a: 1, list: ['x', 'y'] } });
    assert.deepEqual(parseOutput('a: [1\n', 'yaml'), { parsed: false });
  });
  it('jsonl: every parseable line, skipping the rest', () => {
    assert.deepEqual(parseOutput('{"i":1}\nnoise\n{"i":2}\n\n3\n', 'jsonl'), { parsed: true, data: [{ i: 1 }, { i: 2 }, 3] });
    assert.deepEqual(parseOutput('noise\nmore noise\n', 'jsonl'), { parsed: false });
  });
});

describe('errorFromStderr', () => {
  it('uses the exit code when stderr is blank', () => {
    assert.equal(errorFromStderr('', 3), 'Command exited with code 3');
    assert.equal(errorFromStderr(' \n\n', 1), 'Command exited with code 1');
  });
  it('returns trimmed stderr of up to 5 lines', () => {
    assert.equal(errorFromStderr('boom\n', 1), 'boom');
    assert.equal(errorFromStderr('\n1\n2\n3\n4\n5\n\n', 1), '1\n2\n3\n4\n5');
  });
  it('returns the last non-empty line when there are more than 5 lines', () => {
    assert.equal(errorFromStderr('1\n2\n3\n4\n5\n6 final error  \n\n', 1), '6 final error');
    assert.equal(errorFromStderr('a\nb\nc\nd\ne\nlast\n   \n', 2), 'last');
  });
});
