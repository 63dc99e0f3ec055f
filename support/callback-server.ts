/**
 * A server of the suite's own that the target's workers call back (HTTP runner scenarios, slot gates): listening on an
 * ephemeral port of the callback host, and the base URL an action is given to reach it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts `handler` on a free port of `host`; resolves once it listens. */
export async function listenOnFreePort(host: string, handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** `http://<host>:<port>`, an IPv6 host bracketed. */
export function baseUrlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
