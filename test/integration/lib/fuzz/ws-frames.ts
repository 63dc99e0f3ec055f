/**
 * Bad input for the notifier WebSocket: sessions of client frames (random text, odd JSON, broken
 * subscribe/unsubscribe/ping messages, binary frames, invalid UTF-8, fragmented and huge frames),
 * and raw frames a conforming client never sends (unmasked, reserved bits, unknown opcodes,
 * oversized control frames, bogus close codes, absurd lengths), written to the socket directly.
 */
import fc from 'fast-check';
import { applyMutation, describeMutation, mutationFor } from './mutate';
import { deepValue, oddJson, oddString, type Json } from './values';

export interface ClientFrame {
  kind: 'text' | 'binary' | 'invalid-utf8' | 'fragmented' | 'ping' | 'pong';
  data: Buffer;
  what: string;
}

const FILTERS = ['all', 'entity_type:execution', 'entity:execution:1', 'user:1', 'notification_type:execution_status_changed', 'trigger_ref:core.webhook'];

const ODD_FILTERS = fc.oneof(
  oddString(),
  fc.constantFrom('entity:execution:99999999999999999999', 'entity:execution:-1', 'entity::1', 'entity:execution:', 'user:1.5', 'user:', ':', 'all ', ' all', 'ALL', 'entity_type: ', `entity_type:${'x'.repeat(100_000)}`),
  fc.tuple(fc.constantFrom(...FILTERS), oddString()).map(([f, s]) => f + s),
);

const command = fc.constantFrom<Json>(
  { type: 'subscribe', filter: 'entity_type:execution' },
  { type: 'unsubscribe', filter: 'entity_type:execution' },
  { type: 'ping' },
  { type: 'subscribe', filter: 'all' },
);

/** Whether the server must answer this text with an error frame (not a JSON object, or an unknown type). */
export function mustAnswerError(text: string): boolean {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return true;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return true;
  const t = (v as Record<string, unknown>).type;
  if (t === 'ping') return false;
  if (t === 'subscribe' || t === 'unsubscribe') return !('filter' in (v as object)) || typeof (v as Record<string, unknown>).filter !== 'string';
  return true;
}

const textOf = (v: Json) => JSON.stringify(v) ?? 'null';

export const clientFrame = (): fc.Arbitrary<ClientFrame> =>
  fc.oneof(
    { weight: 4, arbitrary: command.chain((c) => mutationFor(c, undefined, false).map((m) => ({ kind: 'text' as const, data: Buffer.from(textOf(applyMutation(c, m))), what: `command, ${describeMutation(m)}` }))) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom('subscribe', 'unsubscribe'), ODD_FILTERS).map(([type, filter]) => ({ kind: 'text' as const, data: Buffer.from(JSON.stringify({ type, filter })), what: `${type} ${JSON.stringify(filter).slice(0, 60)}` })) },
    { weight: 2, arbitrary: oddJson(3).map((v) => ({ kind: 'text' as const, data: Buffer.from(textOf(v)), what: `JSON ${textOf(v).slice(0, 60)}` })) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ kind: 'text' as const, data: Buffer.from(s), what: `text ${JSON.stringify(s).slice(0, 60)}` })) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '{}', '{"type":"subscribe"}', '{"type":null}', '{"__proto__":{"type":"ping"}}', '{"type":"subscribe","filter":null}', '{"type":"ping"}{"type":"ping"}').map((s) => ({ kind: 'text' as const, data: Buffer.from(s), what: `text ${JSON.stringify(s)}` })) },
    { weight: 1, arbitrary: deepValue().map((v) => ({ kind: 'text' as const, data: Buffer.from(textOf(v)), what: 'deeply nested JSON' })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'text' as const, data: Buffer.from('['.repeat(200_000)), what: '200,000 open brackets' }) },
    { weight: 1, arbitrary: fc.constantFrom(1, 4).map((mb) => ({ kind: 'text' as const, data: Buffer.from(JSON.stringify({ type: 'x'.repeat(mb * 1024 * 1024) })), what: `${mb} MB unknown type` })) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b) => ({ kind: 'binary' as const, data: Buffer.from(b), what: `binary ${Buffer.from(b).toString('hex').slice(0, 40)}` })) },
    { weight: 1, arbitrary: command.map((c) => ({ kind: 'binary' as const, data: Buffer.from(textOf(c)), what: `binary ${textOf(c)}` })) },
    { weight: 1, arbitrary: fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x7b, 0xf8, 0x7d]).map((b) => ({ kind: 'invalid-utf8' as const, data: Buffer.from(b), what: `text frame with invalid UTF-8 ${Buffer.from(b).toString('hex')}` })) },
    { weight: 1, arbitrary: command.map((c) => ({ kind: 'fragmented' as const, data: Buffer.from(textOf(c)), what: `fragmented ${textOf(c)}` })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((b) => ({ kind: 'ping' as const, data: Buffer.from(b), what: `ping with ${b.length} bytes` })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 125 }).map((b) => ({ kind: 'pong' as const, data: Buffer.from(b), what: `unsolicited pong with ${b.length} bytes` })) },
  );

/** A raw frame (client → server); `mask` false leaves it unmasked, which the protocol forbids. */
export function rawFrame(opts: { fin?: boolean; rsv?: number; opcode: number; payload: Buffer; mask?: boolean; declaredLength?: bigint }): Buffer {
  const fin = opts.fin ?? true;
  const first = (fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opts.opcode & 0x0f);
  const mask = opts.mask ?? true;
  const len = opts.declaredLength ?? BigInt(opts.payload.length);
  let header: Buffer;
  if (len < 126n) header = Buffer.from([first, (mask ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(len), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(len, 2);
  }
  if (!mask) return Buffer.concat([header, opts.payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(opts.payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([header, key, body]);
}

const close = (code: number, reason = '') => {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
};

/** Raw frames a conforming client never sends; the server must close with a protocol error code. */
export const RAW_CASES: Array<{ what: string; bytes: Buffer }> = [
  { what: 'unmasked text frame', bytes: rawFrame({ opcode: 1, payload: Buffer.from('{"type":"ping"}'), mask: false }) },
  { what: 'reserved bit 1 set', bytes: rawFrame({ opcode: 1, rsv: 4, payload: Buffer.from('{}') }) },
  { what: 'reserved bits 2 and 3 set', bytes: rawFrame({ opcode: 1, rsv: 3, payload: Buffer.from('{}') }) },
  { what: 'unknown data opcode 3', bytes: rawFrame({ opcode: 3, payload: Buffer.from('x') }) },
  { what: 'unknown control opcode 0xB', bytes: rawFrame({ opcode: 0xb, payload: Buffer.alloc(0) }) },
  { what: 'continuation without a start', bytes: rawFrame({ opcode: 0, payload: Buffer.from('x') }) },
  { what: 'fragmented ping', bytes: rawFrame({ opcode: 9, fin: false, payload: Buffer.from('x') }) },
  { what: 'ping of 126 bytes', bytes: rawFrame({ opcode: 9, payload: Buffer.alloc(126, 1) }) },
  { what: 'close with code 999', bytes: rawFrame({ opcode: 8, payload: close(999) }) },
  { what: 'close with code 1005 (reserved)', bytes: rawFrame({ opcode: 8, payload: close(1005) }) },
  { what: 'close with code 5000', bytes: rawFrame({ opcode: 8, payload: close(5000) }) },
  { what: 'close with a 1-byte payload', bytes: rawFrame({ opcode: 8, payload: Buffer.from([3]) }) },
  { what: 'close with an invalid UTF-8 reason', bytes: rawFrame({ opcode: 8, payload: Buffer.concat([close(1000), Buffer.from([0xff])]) }) },
  { what: 'declared length 2^63 - 1', bytes: rawFrame({ opcode: 1, payload: Buffer.alloc(0), declaredLength: 2n ** 63n - 1n }) },
  { what: 'declared length 2^53 + 1', bytes: rawFrame({ opcode: 2, payload: Buffer.alloc(0), declaredLength: 2n ** 53n + 1n }) },
  { what: 'a new text frame inside a fragmented one', bytes: Buffer.concat([rawFrame({ opcode: 1, fin: false, payload: Buffer.from('{"ty') }), rawFrame({ opcode: 1, payload: Buffer.from('pe":"ping"}') })]) },
  { what: 'invalid UTF-8 split across fragments', bytes: Buffer.concat([rawFrame({ opcode: 1, fin: false, payload: Buffer.from([0xe2, 0x82]) }), rawFrame({ opcode: 0, payload: Buffer.from([0x41]) })]) },
  { what: 'garbage after the handshake', bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') },
];
