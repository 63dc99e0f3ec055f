import { config } from '../common/config';

/** Base URL of the API as seen from this host (a wildcard listen address is reached via loopback). */
export function apiBaseUrl(): string {
  const { host, port } = config().server;
  const reachable = !host || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
