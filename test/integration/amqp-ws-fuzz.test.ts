/**
 * Bad input at scale on the stack's two other doors, one isolated stack for both:
 *
 * (b) AMQP — a fast-check generated batch of malformed messages (random bytes, random JSON,
 * envelopes of each queue's own message types with one part broken, invalid UTF-8, 2 MB bodies)
 * published to every queue the stack consumes (executor, worker, sensor). Each is either rejected
 * without requeue (dead-lettered exactly once, reason "rejected", from the queue it was routed to;
 * queues without a dead-letter exchange drop it) or, when it happens to be a well-formed envelope
 * about nothing that exists, acked and ignored; unparseable ones must be rejected. Afterwards every
 * queue is empty (nothing left unacked) and keeps its consumer, no service restarted, and a manual
 * execution completes.
 *
 * (f) WebSocket — generated sessions of client frames (random text, odd JSON, broken
 * subscribe/unsubscribe/ping messages, bad filters, binary, invalid UTF-8, fragmented, 1–4 MB and
 * deeply nested frames, stray pings and pongs) and raw frames no conforming client sends
 * (unmasked, reserved bits, unknown opcodes, oversized control frames, bogus close codes, absurd
 * lengths). Each connection answers every message it cannot use with an error frame and keeps
 * working, or is closed with a protocol close code — never an internal error. An observer
 * connection keeps its subscription throughout and still receives a notification afterwards; the
 * notifier is the same healthy process.
 *
 * Reproduce: AMQP_FUZZ_SEED / WS_FUZZ_SEED=<seed> (printed); AMQP_FUZZ_PER_QUEUE and
 * WS_FUZZ_SESSIONS set the batch sizes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type amqp from 'amqplib';
import fc from 'fast-check';
import WebSocket from 'ws';
import { blockedNote, closeConnection, connect, tap, type Tap } from './lib/amqp';
import { openDb } from './lib/db';
import { call, execute, login, services, settled, type ServiceSnapshot } from './lib/http';
import { listInVhost, NOTIFIER_HTTP_URL, useItestStack, WS_URL } from './lib/itest-stack';
import { connectNotifier, subscribeConfirmed, type NotifierClient } from './lib/notifier';
import { waitFor, within } from './lib/wait';
import { messagesFor, payloadsFor, type FuzzMessage, type QueueTarget } from './lib/fuzz/amqp-messages';
import { abbreviate } from './lib/fuzz/mutate';
import { clientFrame, mustAnswerError, RAW_CASES, type ClientFrame } from './lib/fuzz/ws-frames';

useItestStack();


const SEED = Number(process.env.AMQP_FUZZ_SEED ?? 20_260_613);
/**
 * Shrunk counterexamples, sent to every queue on every run: message types that are keys of
 * Object.prototype passed the envelope check (`in`), so the status and inquiry consumers acked
 * them, and a dispatch of this shape would have started execution 1 (fixed in common/envelope.ts).
 */
const REGRESSIONS = [
  '{"message_type":"hasOwnProperty","payload":{"execution_id":1}}',
  '{"message_type":"toString","payload":{}}',
  '{"message_type":"constructor","payload":{"execution_id":1,"event_id":1,"enforcement_id":1,"rule_id":1,"inquiry_id":1}}',
  '{"message_type":"__proto__","payload":{"execution_id":1}}',
];
const PER_QUEUE = Number(process.env.AMQP_FUZZ_PER_QUEUE ?? 40);

describe('AMQP fuzz: malformed messages on every consumed queue', () => {
  let conn: amqp.ChannelModel;
  let pub: amqp.ConfirmChannel;
  let deadLetters: Tap;
  let token: string;
  let targets: QueueTarget[];
  let servicesBefore: Record<string, ServiceSnapshot>;
  const sent = new Map<string, FuzzMessage>();

  before(async () => {
    const db = await openDb();
    const worker = (await db.query(`SELECT id FROM worker WHERE status = 'active' AND worker_role = 'action' ORDER BY id DESC LIMIT 1`)).rows[0];
    await db.end();
    assert.ok(worker, 'no active worker registered');
    const id = Number(worker.id);
    const q = (queue: string, exchange: string, routingKey: string, dlx: boolean, kind: Parameters<typeof payloadsFor>[0]): QueueTarget =>
      ({ queue, exchange, routingKey, dlx, payloads: payloadsFor(kind, id) });
    targets = [
      q('attune.executor.events.queue', 'attune.events', 'event.created', true, 'events'),
      q('attune.enforcements.queue', 'attune.executions', 'enforcement.created', true, 'enforcements'),
      q('attune.execution.requests.queue', 'attune.executions', 'execution.requested', true, 'requests'),
      q('attune.execution.status.queue', 'attune.executions', 'execution.status.changed', true, 'status'),
      q('attune.execution.completed.queue', 'attune.executions', 'execution.completed', true, 'completed'),
      q('attune.inquiry.responses.queue', 'attune.executions', 'inquiry.responded', true, 'inquiries'),
      q('attune.rules.lifecycle.queue', 'attune.events', 'rule.enabled', false, 'lifecycle'),
      q(`worker.${id}.executions`, 'attune.executions', `execution.dispatch.worker.${id}`, true, 'dispatch'),
      q(`worker.${id}.cancel`, 'attune.executions', `execution.cancel.worker.${id}`, false, 'cancel'),
    ];
    conn = await connect();
    pub = await conn.createConfirmChannel();
    deadLetters = await tap(conn, [{ exchange: 'attune.dlx', keys: targets.filter((t) => t.dlx).map((t) => t.routingKey) }]);
    token = (await login()).access_token;
    servicesBefore = await services();
  });

  after(async () => {
    await deadLetters?.close();
    await closeConnection(conn);
  });

  test(`${PER_QUEUE} generated messages per queue: rejected once (or acked and ignored), never requeued`, { timeout: 90_000 }, async () => {
    const batches = targets.map((t, i) => [
      ...fc.sample(messagesFor(t), { numRuns: PER_QUEUE, seed: SEED + i }),
      ...REGRESSIONS.map((text): FuzzMessage => ({ target: t, what: `regression ${text}`, body: Buffer.from(text), contentType: 'application/json', mustReject: true })),
    ]);
    for (const batch of batches) {
      for (const m of batch) {
        const messageId = `amqp-fuzz-${sent.size}`;
        sent.set(messageId, m);
        pub.publish(m.target.exchange, m.target.routingKey, m.body, { persistent: true, contentType: m.contentType, messageId, headers: m.headers });
      }
    }
    await within(30_000, () => `publisher confirms of ${sent.size} messages${blockedNote()}`, pub.waitForConfirms());
    console.log(`amqp fuzz seed ${SEED}: ${sent.size} messages to ${targets.length} queues (${[...sent.values()].filter((m) => m.mustReject).length} unparseable)`);

    // every queue drains: nothing ready, nothing left unacknowledged
    const names = new Set(targets.map((t) => t.queue));
    await waitFor(async () => {
      const rows = await listInVhost('queues', ['name', 'messages_ready', 'messages_unacknowledged', 'consumers']);
      const busy = rows.filter((r) => names.has(String(r.name)) && (Number(r.messages_ready) > 0 || Number(r.messages_unacknowledged) > 0));
      return busy.length === 0;
    }, { what: 'every fuzzed queue to drain', timeoutMs: 45_000, intervalMs: 500 });

    const ours = () => deadLetters.messages.filter((m) => sent.has(String(m.properties.messageId)));
    // the unparseable ones of queues with a dead-letter exchange must all arrive
    const mustArrive = [...sent.entries()].filter(([, m]) => m.mustReject && m.target.dlx).map(([id]) => id);
    await waitFor(() => mustArrive.every((id) => ours().some((d) => d.properties.messageId === id)), {
      what: `${mustArrive.length} dead letters of unparseable messages`,
      timeoutMs: 20_000,
    }).catch(() => undefined);

    const problems: string[] = [];
    const seen = new Map<string, number>();
    for (const d of ours()) {
      const id = String(d.properties.messageId);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      const m = sent.get(id)!;
      const deaths = d.properties.headers?.['x-death'] as Array<Record<string, unknown>> | undefined;
      const death = deaths?.[0];
      const where = `${m.target.queue} / ${abbreviate(m.what, 160)}`;
      if (!m.target.dlx) problems.push(`${where}: dead-lettered from a queue without a dead-letter exchange`);
      if (!death) problems.push(`${where}: dead letter without x-death`);
      else {
        if (death.reason !== 'rejected') problems.push(`${where}: dead-lettered for ${String(death.reason)}`);
        if (death.queue !== m.target.queue) problems.push(`${where}: dead-lettered from ${String(death.queue)}`);
        if (Number(death.count) !== 1) problems.push(`${where}: rejected ${String(death.count)} times (requeued)`);
      }
    }
    for (const [id, n] of seen) if (n > 1) problems.push(`${sent.get(id)!.target.queue} / ${abbreviate(sent.get(id)!.what, 160)}: dead-lettered ${n} times`);
    for (const id of mustArrive) if (!seen.has(id)) problems.push(`${sent.get(id)!.target.queue} / ${abbreviate(sent.get(id)!.what, 160)}: unparseable, yet never dead-lettered`);
    const rejected = [...seen.keys()].length;
    console.log(`  dead-lettered ${rejected}, acked and ignored ${[...sent.entries()].filter(([id, m]) => m.target.dlx && !seen.has(id)).length}, dropped by queues without DLX ${[...sent.values()].filter((m) => !m.target.dlx).length}`);
    assert.deepEqual(problems, []);
  });

  test('every queue keeps its consumer, and no service restarted', async () => {
    const rows = await listInVhost('queues', ['name', 'consumers']);
    for (const t of targets) {
      const row = rows.find((r) => r.name === t.queue);
      assert.ok(row, `${t.queue} is gone`);
      assert.ok(Number(row.consumers) >= 1, `${t.queue} lost its consumer`);
    }
    const now = await services();
    for (const [name, s] of Object.entries(now)) {
      assert.equal(s.pid, servicesBefore[name].pid, `${name} was restarted`);
      assert.equal(s.restarts, 0, `${name} restarted`);
      assert.ok(s.ready, `${name} is ${s.state}`);
    }
  });

  test('a manual execution afterwards completes', async () => {
    const id = await execute(token, 'core.echo', { message: 'after the AMQP fuzz' });
    const ex = await settled(token, id);
    assert.equal(ex.status, 'completed', JSON.stringify(ex));
  });
});


const WS_SEED = Number(process.env.WS_FUZZ_SEED ?? 20_260_614);
const SESSIONS = Number(process.env.WS_FUZZ_SESSIONS ?? 200);
const FRAMES_PER_SESSION = 8;
/** Close codes a server may use for a client's protocol or payload errors (never 1011 internal error, never 1006 without a close frame). */
const PROTOCOL_CLOSE_CODES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009]);
const SENTINEL = JSON.stringify({ type: 'subscribe', filter: 'no-such-filter-kind' });

interface Outcome {
  problem?: string;
  errors: number;
  closedWith?: number;
}

function sendFrame(ws: WebSocket, f: ClientFrame): void {
  switch (f.kind) {
    case 'text':
    case 'invalid-utf8':
      ws.send(f.data, { binary: false });
      break;
    case 'binary':
      ws.send(f.data, { binary: true });
      break;
    case 'fragmented': {
      const cut = Math.max(1, Math.floor(f.data.length / 2));
      ws.send(f.data.subarray(0, cut), { binary: false, fin: false });
      ws.send(f.data.subarray(cut), { binary: false, fin: true });
      break;
    }
    case 'ping':
      ws.ping(f.data);
      break;
    case 'pong':
      ws.pong(f.data);
      break;
  }
}

/** One connection: the frames, then a sentinel whose error frame proves every earlier frame was handled. */
function runSession(token: string, frames: ClientFrame[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(WS_URL, { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024 });
    const received: Array<{ type?: unknown; message?: unknown }> = [];
    let settledOutcome = false;
    const finish = (o: Outcome) => {
      if (settledOutcome) return;
      settledOutcome = true;
      clearTimeout(timer);
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ problem: 'neither the sentinel answer nor a close within 20 s', errors: received.length }), 20_000);
    ws.on('error', () => undefined); // the close event reports the outcome
    ws.on('message', (data, isBinary) => {
      let f: { type?: unknown; message?: unknown };
      try {
        f = JSON.parse(data.toString()) as typeof f;
      } catch {
        return finish({ problem: `a frame that is not JSON: ${data.toString().slice(0, 100)}`, errors: 0 });
      }
      if (isBinary) return finish({ problem: 'a binary frame from the server', errors: 0 });
      if (f.type === 'welcome') {
        for (const frame of frames) sendFrame(ws, frame);
        ws.send(SENTINEL);
        return;
      }
      if (f.type !== 'error' && f.type !== 'notification') return finish({ problem: `unexpected frame type ${JSON.stringify(f.type)}`, errors: 0 });
      if (f.type === 'error' && (typeof f.message !== 'string' || f.message === '')) return finish({ problem: 'an error frame without a message', errors: 0 });
      received.push(f);
      // the sentinel is the last thing sent: its error is the last error frame (frames are handled in order)
      if (f.type === 'error' && typeof f.message === 'string' && f.message.includes('no-such-filter-kind')) {
        const errors = received.filter((x) => x.type === 'error').length - 1;
        const atLeast = frames.filter((x) => (x.kind === 'text' || x.kind === 'binary' || x.kind === 'fragmented') && mustAnswerError(x.data.toString('utf8'))).length;
        const atMost = frames.filter((x) => x.kind !== 'ping' && x.kind !== 'pong').length;
        if (errors < atLeast || errors > atMost) return finish({ problem: `${errors} error frames for ${atLeast}..${atMost} unusable messages`, errors });
        finish({ errors });
      }
    });
    ws.on('close', (code) => {
      if (settledOutcome) return;
      const allowed = PROTOCOL_CLOSE_CODES.has(code) && frames.some((f) => f.kind === 'invalid-utf8' || f.data.length > 1024 * 1024);
      finish(allowed ? { errors: received.length, closedWith: code } : { problem: `closed with ${code} before answering the sentinel`, errors: received.length, closedWith: code });
    });
  });
}

/** The WebSocket handshake over a raw socket, then `bytes`; resolves with the close code the server sent (or how the socket ended). */
function rawSession(token: string, bytes: Buffer): Promise<{ closeCode?: number; how: string }> {
  return new Promise((resolve) => {
    const url = new URL(WS_URL);
    const sock = net.connect(Number(url.port), url.hostname);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const done = (r: { closeCode?: number; how: string }) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ how: 'no close within 10 s' }), 10_000);
    sock.on('error', () => undefined);
    sock.on('connect', () => {
      sock.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, end).toString().startsWith('HTTP/1.1 101')) return done({ how: `handshake refused: ${buf.subarray(0, 60).toString()}` });
        upgraded = true;
        buf = buf.subarray(end + 4);
        sock.write(bytes);
      }
      // server frames: find a close frame (opcode 8), skipping the welcome text frame
      while (buf.length >= 2) {
        const opcode = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 8) return done({ closeCode: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, how: 'close frame' });
      }
    });
    sock.on('close', () => done({ how: 'socket closed without a close frame' }));
  });
}

describe('notifier fuzz: bad frames never crash it, and other clients keep being served', () => {
  let token: string;
  let observer: NotifierClient;
  let servicesBefore: Record<string, ServiceSnapshot>;

  before(async () => {
    token = (await login()).access_token;
    const out = await connectNotifier({ headers: { authorization: `Bearer ${token}` } });
    assert.ok(out.ok, 'the observer could not connect');
    observer = out.client;
    await observer.waitForFrame((f) => f.type === 'welcome', 'the observer welcome');
    await subscribeConfirmed(observer, 'entity_type:execution');
    servicesBefore = await services();
  });

  after(async () => {
    await observer?.close();
  });

  test(`${SESSIONS} generated sessions of ${FRAMES_PER_SESSION} frames: error frames or a protocol close, never an internal error`, { timeout: 90_000 }, async () => {
    const sessions = fc.sample(fc.array(clientFrame(), { minLength: 1, maxLength: FRAMES_PER_SESSION }), { numRuns: SESSIONS, seed: WS_SEED });
    const problems: string[] = [];
    let frames = 0;
    let closes = 0;
    const queue = sessions.map((s, i) => ({ s, i }));
    const lane = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        frames += job.s.length;
        const o = await runSession(token, job.s);
        if (o.closedWith !== undefined) closes++;
        if (o.problem) problems.push(`session ${job.i} (${job.s.map((f) => f.what.slice(0, 80)).join(' | ')}): ${o.problem}`);
      }
    };
    await Promise.all([lane(), lane(), lane()]);
    console.log(`notifier fuzz seed ${WS_SEED}: ${frames} frames in ${sessions.length} sessions (${closes} closed by the server with a protocol code)`);
    assert.deepEqual(problems, []);
  });

  test('raw frames no client may send: the server closes with a protocol close code', async () => {
    const problems: string[] = [];
    for (const c of RAW_CASES) {
      const r = await rawSession(token, c.bytes);
      if (r.closeCode === undefined || !PROTOCOL_CLOSE_CODES.has(r.closeCode)) problems.push(`${c.what}: ${r.how}${r.closeCode !== undefined ? ` ${r.closeCode}` : ''}`);
    }
    assert.deepEqual(problems, []);
  });

  test('the notifier is the same healthy process, and the observer still receives notifications', async () => {
    const now = await services();
    assert.equal(now.notifier.pid, servicesBefore.notifier.pid, 'the notifier was restarted');
    assert.equal(now.notifier.restarts, 0);
    const health = await call('GET', '/health', { base: NOTIFIER_HTTP_URL });
    assert.deepEqual(health.json, { status: 'ok' });
    const id = await execute(token, 'core.echo', { message: 'after the WebSocket fuzz' });
    await observer.waitForFrame((f) => f.type === 'notification' && f.entity_id === id && (f.payload as { status?: string }).status === 'completed', `the observer's frame of execution ${id}`);
    assert.equal((await settled(token, id)).status, 'completed');
    await waitFor(async () => ((await call('GET', '/stats', { base: NOTIFIER_HTTP_URL })).json as { connected_clients?: number }).connected_clients === 1, {
      what: 'the notifier to count only the observer',
    });
  });
});
