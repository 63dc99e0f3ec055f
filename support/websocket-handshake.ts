/**
 * One attempt at opening the notifier's WebSocket with whatever credentials a scenario chooses (a bearer header,
 * subprotocols, a query string, or nothing), and what came of it: refused at the upgrade (HTTP status and body),
 * welcomed (the negotiated subprotocol and the welcome frame), or closed before the welcome. Unlike
 * NotificationStream.open, a refusal is an outcome here, not an error.
 */
import WebSocket from 'ws';
import { eventually } from './eventually';
import { timeouts } from './timeouts';

export interface UpgradeCredentials {
  /** sent as `Authorization: Bearer <token>` */
  bearer?: string;
  /** offered as `Sec-WebSocket-Protocol` (default: `attune.v1` alone) */
  protocols?: string[];
  /** appended to the URL as query parameters */
  query?: Record<string, string>;
}

export type UpgradeOutcome =
  | { kind: 'refused'; status: number; contentType: string; body: string }
  | { kind: 'welcomed'; protocol: string; welcome: Record<string, unknown> }
  | { kind: 'closed'; code: number; reason: string }
  | { kind: 'error'; message: string };

/** A short text of an outcome for failure messages. */
export function describeOutcome(outcome: UpgradeOutcome): string {
  switch (outcome.kind) {
    case 'refused':
      return `refused with HTTP ${outcome.status} (${outcome.contentType || 'no content type'}): ${outcome.body.slice(0, 300)}`;
    case 'welcomed':
      return `welcomed on subprotocol "${outcome.protocol}" with ${JSON.stringify(outcome.welcome)}`;
    case 'closed':
      return `closed with code ${outcome.code} "${outcome.reason}" before any welcome`;
    case 'error':
      return `failed: ${outcome.message}`;
  }
}

/**
 * Tries the upgrade and settles on the first decisive thing: a non-101 answer (read to its end), the welcome frame,
 * a close, or a transport error. A welcomed connection is closed again at once.
 */
export async function attemptUpgrade(wsUrl: string, credentials: UpgradeCredentials): Promise<UpgradeOutcome> {
  const url = new URL(wsUrl);
  for (const [name, value] of Object.entries(credentials.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = {};
  if (credentials.bearer !== undefined) headers.Authorization = `Bearer ${credentials.bearer}`;
  const socket = new WebSocket(url.toString(), credentials.protocols ?? ['attune.v1'], { headers, handshakeTimeout: timeouts.websocketWelcome });
  let outcome: UpgradeOutcome | undefined;
  const settle = (o: UpgradeOutcome) => {
    outcome ??= o;
  };
  socket.on('unexpected-response', (_request, response) => {
    let body = '';
    response.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    response.on('end', () => settle({ kind: 'refused', status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body }));
    response.on('error', (error) => settle({ kind: 'error', message: error.message }));
  });
  socket.on('message', (data) => {
    try {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.type === 'welcome') settle({ kind: 'welcomed', protocol: socket.protocol, welcome: frame });
    } catch {
      /* a non-JSON first frame is no welcome */
    }
  });
  socket.on('close', (code, reason) => settle({ kind: 'closed', code, reason: reason.toString() }));
  socket.on('error', (error) => {
    // ws reports a refused upgrade as an error too; give the response body a chance to arrive first
    if (!error.message.startsWith('Unexpected server response')) settle({ kind: 'error', message: error.message });
  });
  try {
    return await eventually(
      `the notifier at ${url.origin} to refuse or welcome the upgrade`,
      async () => outcome,
      (o) => o !== undefined,
      { timeoutMs: timeouts.websocketWelcome, intervalMs: 20 },
    ) as UpgradeOutcome;
  } finally {
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'handshake checked');
    else socket.terminate();
  }
}
