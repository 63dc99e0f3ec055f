/** Plain HTTP against the itest api and supervisor: status, headers and the body parsed when it is JSON. */
import * as http from 'node:http';
import { ADMIN, API_URL, CONTROL_URL } from './itest-stack';
import { pause, waitFor } from './wait';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
  /** A JS value is sent as JSON; a string or Buffer is sent as is. */
  body?: unknown;
  raw?: boolean;
  base?: string;
}

export async function call(method: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.body !== undefined) {
    if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body;
    else body = JSON.stringify(opts.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${opts.base ?? API_URL}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

/** `data` of a 2xx answer, or an error quoting the answer. */
export function dataOf<T = Record<string, unknown>>(a: Answer, what: string): T {
  if (a.status < 200 || a.status > 299) throw new Error(`${what}: HTTP ${a.status} ${a.text.slice(0, 500)}`);
  return (a.json as { data: T }).data;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export async function login(creds = ADMIN): Promise<Tokens> {
  return dataOf<Tokens>(await call('POST', '/auth/login', { body: creds }), `logging in as ${creds.login}`);
}

export interface ServiceSnapshot {
  state: string;
  pid: number | null;
  ready: boolean;
  restarts: number;
}

export async function services(): Promise<Record<string, ServiceSnapshot>> {
  const a = await call('GET', '/services', { base: CONTROL_URL });
  if (a.status !== 200) throw new Error(`supervisor /services: HTTP ${a.status} ${a.text}`);
  return (a.json as { services: Record<string, ServiceSnapshot> }).services;
}

/** POST /services/<name>/<action> on the supervisor; returns the answer (200 once done). */
export async function control(name: string, action: 'stop' | 'start' | 'restart'): Promise<Answer> {
  return call('POST', `/services/${name}/${action}`, { base: CONTROL_URL });
}

/** Runs `action_ref` manually and returns the execution id. */
export async function execute(token: string, actionRef: string, parameters: Record<string, unknown> = {}): Promise<number> {
  const ex = dataOf<{ id: number }>(
    await call('POST', '/api/v1/executions/execute', { token, body: { action_ref: actionRef, parameters, env_vars: {} } }),
    `executing ${actionRef}`,
  );
  return ex.id;
}

export interface Execution {
  id: number;
  status: string;
  action_ref: string;
  result: unknown;
  enforcement: number | null;
}

/** Waits until the execution reaches a terminal status and returns it. */
export async function settled(token: string, id: number, timeoutMs = 30_000): Promise<Execution> {
  const terminal = new Set(['completed', 'failed', 'cancelled', 'timeout', 'abandoned']);
  return waitFor(
    async () => {
      const ex = dataOf<Execution>(await call('GET', `/api/v1/executions/${id}`, { token }), `reading execution ${id}`);
      return terminal.has(ex.status) ? ex : undefined;
    },
    { what: `execution ${id} to finish`, timeoutMs, intervalMs: 50 },
  );
}

/**
 * Sends a large body the way a careful client does: headers first (with Content-Length), then
 * the body in pieces, stopping as soon as the server has answered. A server that
 * refuses on the declared length answers before any byte of the body is sent, so the answer is
 * never lost to a connection reset while the client is still writing.
 */
export function sendLarge(path: string, body: Buffer, opts: { token?: string } = {}): Promise<Answer> {
  const url = new URL(path, API_URL);
  return new Promise((resolve, reject) => {
    let answered = false;
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', () => undefined);
      res.on('close', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, json });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.flushHeaders();
    void (async () => {
      const early = Date.now() + 5_000; // ends at once when the answer comes first
      while (!answered && Date.now() < early) await pause(20);
      for (let off = 0; off < body.length && !answered; off += 64 * 1024) {
        if (!req.write(body.subarray(off, off + 64 * 1024))) await new Promise((r) => req.once('drain', r));
      }
      if (!answered) req.end();
    })().catch(() => undefined);
  });
}
