/**
 * A real HTTP server the scenario starts in this cucumber worker process, for actions that make HTTP calls
 * (`core.http_request`, docs/runtimes.md "HTTP runner"). It listens on `target().callbackHost` (where the target's
 * workers reach this machine; 127.0.0.1 by default) on a port the OS picks, records every request it receives
 * (method, path with query, headers, body) and answers each path as the scenario programmed it: a status, headers
 * and a JSON or text body, or no answer at all (the request is held until the server closes, for timeouts).
 * Nothing here waits on a timer: a held request simply stays open.
 *
 * Each scenario owns its server; `startLoopbackServer` registers its closing as a cleanup. A "refused connection"
 * is a port the scenario opened and closed again (`closedLoopbackPort`).
 */
import * as http from 'node:http';
import { baseUrlOf, listenOnFreePort } from './callback-server';
import { target } from './target';
import type { AttuneWorld } from './world';

export interface RecordedRequest {
  method: string;
  /** path and query as sent ("/orders?limit=2") */
  path: string;
  /** header names lower-cased (as node reports them); repeated headers joined with ", " */
  headers: Record<string, string>;
  /** the body as UTF-8 text ('' when none) */
  body: string;
}

export type Answer =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string | Buffer }
  | { kind: 'hold' };

/** An answer with a JSON body (Content-Type application/json); `text` is sent exactly as given. */
export function jsonAnswer(status: number, text: string, headers: Record<string, string> = {}): Answer {
  return { kind: 'reply', status, headers: { 'Content-Type': 'application/json', ...headers }, body: text };
}

/** An answer with a plain-text body. */
export function textAnswer(status: number, text: string, headers: Record<string, string> = {}): Answer {
  return { kind: 'reply', status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers }, body: text };
}

/** An answer with a binary body (a pack archive), sent byte for byte. */
export function bytesAnswer(status: number, bytes: Buffer, contentType = 'application/gzip'): Answer {
  return { kind: 'reply', status, headers: { 'Content-Type': contentType }, body: bytes };
}

/** What an unprogrammed path gets, so that a wrong path shows up in the recorded requests and in the answer. */
const UNPROGRAMMED: Answer = textAnswer(599, 'this loopback server has no answer programmed for that method and path');

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

export class LoopbackHttpServer {
  private readonly answers = new Map<string, Answer>();
  private readonly received: RecordedRequest[] = [];
  private readonly held = new Set<http.ServerResponse>();
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host: string = target().callbackHost): Promise<LoopbackHttpServer> {
    let instance: LoopbackHttpServer | undefined;
    const { server, port } = await listenOnFreePort(host, (req, res) => instance!.handle(req, res));
    instance = new LoopbackHttpServer(server, host, port);
    return instance;
  }

  /** `http://<host>:<port>` (IPv6 hosts bracketed). */
  get baseUrl(): string {
    return baseUrlOf(this.host, this.port);
  }

  /** Programs the answer to `method path` (path without query; the query is still recorded). */
  answer(method: string, path: string, answer: Answer): void {
    this.answers.set(`${method.toUpperCase()} ${path}`, answer);
  }

  /** Every request received so far, in arrival order. */
  requests(): RecordedRequest[] {
    return this.received.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = headerText(value);
      const path = req.url ?? '/';
      this.received.push({ method: req.method ?? '', path, headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = this.answers.get(`${(req.method ?? '').toUpperCase()} ${path.split('?')[0]}`) ?? UNPROGRAMMED;
      if (answer.kind === 'hold') {
        this.held.add(res);
        res.on('close', () => this.held.delete(res));
        return;
      }
      const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
      res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(body.length) });
      res.end(body);
    });
  }

  /** Stops listening and drops every connection, held requests included. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const res of this.held) res.destroy();
    this.held.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }
}

/** Starts the scenario's loopback server and registers its closing as a cleanup. */
export async function startLoopbackServer(world: AttuneWorld): Promise<LoopbackHttpServer> {
  const server = await LoopbackHttpServer.start();
  world.onCleanup(`close the loopback HTTP server on port ${server.port}`, () => server.close());
  return server;
}

/** A loopback port nothing listens on: opened by a server of our own, then closed again. */
export async function closedLoopbackPort(): Promise<{ host: string; port: number; baseUrl: string }> {
  const server = await LoopbackHttpServer.start();
  const { host, port, baseUrl } = server;
  await server.close();
  return { host, port, baseUrl };
}
