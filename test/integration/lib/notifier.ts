/** The notifier WebSocket from the outside: connect with a token, collect frames, or see the refusal. */
import WebSocket from 'ws';
import { WS_URL } from './itest-stack';
import { waitFor } from './wait';

export interface Frame {
  type: string;
  [k: string]: unknown;
}

export interface NotifierClient {
  ws: WebSocket;
  frames: Frame[];
  subscribe(filter: string): void;
  waitForFrame(match: (f: Frame) => boolean, what: string, timeoutMs?: number): Promise<Frame>;
  close(): Promise<void>;
}

export interface Refusal {
  status: number;
  contentType: string;
  body: string;
}

export type ConnectOutcome = { ok: true; client: NotifierClient } | { ok: false; refusal: Refusal };

/** Opens the WebSocket with the given upgrade headers/subprotocols; resolves once open (or refused). */
export function connectNotifier(opts: { headers?: Record<string, string>; protocols?: string[]; url?: string } = {}): Promise<ConnectOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(opts.url ?? WS_URL, opts.protocols ?? [], { headers: opts.headers ?? {}, handshakeTimeout: 10_000 });
    const frames: Frame[] = [];
    ws.on('message', (data) => {
      try {
        frames.push(JSON.parse(data.toString()) as Frame);
      } catch {
        frames.push({ type: '__unparseable__', text: data.toString() });
      }
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ ok: false, refusal: { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body } });
        ws.terminate();
      });
    });
    ws.on('error', (err) => reject(err)); // stays attached: a late error after a refusal is not unhandled
    ws.once('open', () => {
      const client: NotifierClient = {
        ws,
        frames,
        subscribe: (filter) => ws.send(JSON.stringify({ type: 'subscribe', filter })),
        waitForFrame: (match, what, timeoutMs = 15_000) => waitFor(() => frames.find(match), { what, timeoutMs, intervalMs: 20 }),
        close: () =>
          new Promise<void>((r) => {
            if (ws.readyState === WebSocket.CLOSED) return r();
            ws.once('close', () => r());
            ws.close();
          }),
      };
      resolve({ ok: true, client });
    });
  });
}

/**
 * Subscribes and waits until the server has processed it: frames on one connection are handled
 * in order, so the error answering a deliberately invalid filter sent right after proves it.
 */
export async function subscribeConfirmed(client: NotifierClient, filter: string): Promise<void> {
  const before = client.frames.length;
  client.subscribe(filter);
  client.ws.send(JSON.stringify({ type: 'subscribe', filter: 'no-such-filter-kind' }));
  await client.waitForFrame((f) => client.frames.indexOf(f) >= before && f.type === 'error', `the notifier to process the subscription to ${filter}`);
}
