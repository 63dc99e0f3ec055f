/**
 * The fuzzer's HTTP client: node:http with a keep-alive agent, so the request line, headers and
 * body bytes leave exactly as built (fetch would normalise `..` in paths and refuse odd headers).
 */
import * as http from 'node:http';

export interface WireRequest {
  method: string;
  /** Path and query, already percent-encoded where needed (sent verbatim). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface WireAnswer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** Sends one request; a transport failure (reset, timeout) rejects with the request named. */
export function send(base: string, req: WireRequest, timeoutMs = 30_000): Promise<WireAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = req.body.length;
    let r: http.ClientRequest;
    try {
      r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, json, ms: Date.now() - started });
        });
      });
    } catch (err) {
      // node refuses some paths/headers on the client side (e.g. raw control characters): not a server answer
      reject(new ClientSideRefusal((err as Error).message));
      return;
    }
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** node's http client would not even put this request on the wire. */
export class ClientSideRefusal extends Error {}

export function closeTransport(): void {
  agent.destroy();
}
