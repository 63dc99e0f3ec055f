/**
 * The notifier's HTTP face: GET /health, GET /stats and the WebSocket at /ws. Clients subscribe
 * with filters; each notification is serialised once and sent at once to every matching client
 * that may see it (visibility.ts: the subject is looked up once per notification, each client's
 * grants are loaded at connect and refreshed every 30 s). Frames leave in the order they came.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Grant } from '../common/authz-model';
import { fault } from '../common/faults';
import type { Logger } from '../common/log';
import type { TokenClaims } from '../common/tokens';
import { authenticateUpgrade, PROTOCOL_V1 } from './auth';
import { anyFilterMatches, Filter, FilterError, filterKey, parseFilter } from './filters';
import { ClientFrameError, errorFrame, NotificationFrame, parseClientFrame, welcomeFrame } from './frames';
import { mayReceive, maySubscribe, UNAUTHORIZED_SUBSCRIPTION, type Subject } from './visibility';

const SWEEP_INTERVAL_MS = 30_000;
const GRANTS_REFRESH_MS = 30_000;
const MAX_TIMER_MS = 2_147_483_647;
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

interface Client {
  id: string;
  ws: WebSocket;
  filters: Map<string, Filter>;
  claims: TokenClaims;
  /** the identity the token speaks for (NaN when the subject is not an identity id: such a client sees nothing) */
  identityId: number;
  /** its effective grants, loaded at connect and refreshed every GRANTS_REFRESH_MS */
  grants: Grant[];
  expiryTimer?: NodeJS.Timeout;
  alive: boolean;
  /** the connection's socket, corked while frames of one event-loop turn are queued on it (see send) */
  socket: Duplex;
}

export interface NotifierServerOptions {
  host: string;
  port: number;
  maxConnections: number;
  log: Logger;
  verify?: (token: string) => Promise<TokenClaims>;
  /** whether the identity a token speaks for still exists (a deleted identity's token is refused with 401) */
  identityExists?: (identityId: number) => Promise<boolean>;
  /** the effective grants of an identity (grantsOf over the pool) */
  grantsOf: (identityId: number) => Promise<Grant[]>;
  /** what one notification is about (visibility.subjectOf over the pool): called once per notification */
  subjectOf: (frame: NotificationFrame) => Promise<Subject>;
  /** whether the database LISTEN is in place now: GET /health answers 503 while it is not (a client would hear nothing) */
  listening?: () => boolean;
}

function writeJsonAndClose(socket: Duplex, status: number, body: unknown): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class NotifierServer {
  private readonly clients = new Map<string, Client>();
  private readonly httpServer: http.Server;
  private readonly wss: WebSocketServer;
  private pendingUpgrades = 0;
  private nextClient = 1;
  private sweepTimer?: NodeJS.Timeout;
  private grantsTimer?: NodeJS.Timeout;
  /** settles when every notification handed to deliver() so far has been sent (keeps frames in arrival order) */
  private deliveryTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: NotifierServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL_V1) ? PROTOCOL_V1 : false),
    });
    this.httpServer = http.createServer((req, res) => this.onRequest(req, res));
    this.httpServer.on('upgrade', (req, socket, head) => void this.onUpgrade(req, socket, head));
    this.httpServer.on('clientError', (_err, socket) => {
      if (!socket.destroyed) socket.destroy();
    });
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(this.opts.port, this.opts.host, () => {
        this.httpServer.off('error', reject);
        const addr = this.httpServer.address();
        this.sweepTimer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
        this.sweepTimer.unref();
        this.grantsTimer = setInterval(() => void this.refreshGrants(), GRANTS_REFRESH_MS);
        this.grantsTimer.unref();
        resolve({ host: this.opts.host, port: typeof addr === 'object' && addr ? addr.port : this.opts.port });
      });
    });
  }

  stats(): { connected_clients: number; total_subscriptions: number } {
    let subs = 0;
    for (const c of this.clients.values()) subs += c.filters.size;
    return { connected_clients: this.clients.size, total_subscriptions: subs };
  }

  /**
   * Sends the frame to every client with a matching filter that may see its subject; resolves to how
   * many got it. The subject is looked up once (and only when some client's filters match); sends
   * happen strictly in the order deliver() was called, while lookups of later frames already run.
   */
  deliver(frame: NotificationFrame): Promise<number> {
    // fault frames-cross-tenant: execution frames go to every client whose filters match, readable or not
    const unscoped = fault('notifier-unscoped') || (fault('frames-cross-tenant') && frame.entity_type === 'execution');
    let subject: Promise<Subject | undefined> = Promise.resolve(undefined);
    if (!unscoped && this.anyoneListening(frame)) {
      subject = this.opts.subjectOf(frame).catch((err: unknown) => {
        this.opts.log.error({ err, entity_type: frame.entity_type, entity_id: frame.entity_id }, 'visibility lookup failed; frame withheld');
        return { kind: 'nobody' } as const;
      });
    }
    const sent = this.deliveryTail.then(() => subject).then((s) => this.send(frame, s, unscoped));
    this.deliveryTail = sent.catch(() => undefined);
    return sent;
  }

  private anyoneListening(frame: NotificationFrame): boolean {
    for (const c of this.clients.values()) if (c.filters.size > 0 && anyFilterMatches(c.filters.values(), frame)) return true;
    return false;
  }

  private send(frame: NotificationFrame, subject: Subject | undefined, unscoped: boolean): number {
    let text: string | undefined;
    let sent = 0;
    for (const c of this.clients.values()) {
      if (c.filters.size === 0 || c.ws.readyState !== WebSocket.OPEN) continue;
      if (!anyFilterMatches(c.filters.values(), frame)) continue;
      if (!unscoped && (!subject || !mayReceive(c.grants, c.identityId, subject))) continue;
      if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.opts.log.warn({ client_id: c.id, buffered: c.ws.bufferedAmount }, 'client is not reading; disconnecting it');
        c.ws.terminate();
        continue;
      }
      text ??= JSON.stringify(frame);
      this.cork(c);
      c.ws.send(text);
      sent++;
    }
    return sent;
  }

  /**
   * Frames sent to one client in the same event-loop turn (notifications that arrived in one read from the database)
   * leave in one write: the socket is corked at the first and uncorked once the turn's deliveries are done
   * (setImmediate runs right after the I/O that brought them). Same bytes, same order, fewer system calls under load.
   */
  private cork(c: Client): void {
    if (this.corked.has(c.socket)) return;
    c.socket.cork();
    this.corked.add(c.socket);
    if (this.corked.size === 1) setImmediate(this.uncorkAll);
  }

  private readonly corked = new Set<Duplex>();

  private readonly uncorkAll = (): void => {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  };

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.grantsTimer) clearInterval(this.grantsTimer);
    for (const c of this.clients.values()) {
      if (c.expiryTimer) clearTimeout(c.expiryTimer);
      c.ws.close(1001, 'server shutting down');
    }
    const closed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    setTimeout(() => {
      for (const c of this.clients.values()) c.ws.terminate();
      this.httpServer.closeAllConnections();
    }, 1_000).unref();
    this.wss.close();
    await closed;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://notifier').pathname;
    if (req.method === 'GET' && path === '/health') {
      // fault notifier-health-ignores-listener: healthy even while it hears nothing from the database
      if (this.opts.listening && !this.opts.listening() && !fault('notifier-health-ignores-listener')) {
        return sendJson(res, 503, { status: 'unavailable', reason: 'not listening to the database (reconnecting)' });
      }
      return sendJson(res, 200, { status: 'ok' });
    }
    if (req.method === 'GET' && path === '/stats') return sendJson(res, 200, this.stats());
    if (path === '/ws') return sendJson(res, 426, { error: 'upgrade_required', message: 'connect with a WebSocket upgrade' });
    sendJson(res, 404, { error: 'not_found', message: `no route for ${req.method} ${path}` });
  }

  private async onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://notifier').pathname;
    if (path !== '/ws') return writeJsonAndClose(socket, 404, { error: 'not_found', message: `no WebSocket endpoint at ${path}` });
    if (this.clients.size + this.pendingUpgrades >= this.opts.maxConnections) {
      this.opts.log.warn({ max_connections: this.opts.maxConnections }, 'connection refused: too many clients');
      return writeJsonAndClose(socket, 503, { error: 'too_many_connections', message: 'the notifier is at its connection limit' });
    }
    this.pendingUpgrades++;
    let auth;
    let grants: Grant[] | undefined;
    try {
      auth = await authenticateUpgrade(req.headers, this.opts.verify);
      if (auth.ok && !(await this.identityStillExists(auth.claims))) auth = { ok: false as const, error: 'invalid_or_expired_token' as const };
      if (auth.ok) grants = await this.loadGrants(Number(auth.claims.sub));
    } catch (err) {
      this.opts.log.error({ err }, 'authentication at upgrade failed');
      auth = { ok: false as const, error: 'invalid_or_expired_token' as const };
    } finally {
      this.pendingUpgrades--;
    }
    if (!auth.ok) {
      this.opts.log.debug({ error: auth.error, remote: req.socket.remoteAddress }, 'WebSocket upgrade refused');
      return writeJsonAndClose(socket, 401, { error: auth.error });
    }
    if (!grants) {
      return writeJsonAndClose(socket, 503, { error: 'unavailable', message: 'the notifier could not read the permissions of the caller' });
    }
    if (socket.destroyed) return;
    const claims = auth.claims;
    const loaded = grants;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, claims, loaded, socket));
  }

  /**
   * False when the token's subject is an identity id that no longer exists (the identity was deleted after the token
   * was issued). A lookup failure throws: the upgrade is then refused rather than let through unchecked.
   */
  private async identityStillExists(claims: TokenClaims): Promise<boolean> {
    const identityId = Number(claims.sub);
    if (!Number.isSafeInteger(identityId) || !this.opts.identityExists) return true;
    // fault ws-accepts-deleted-identity: the token of a deleted identity is welcomed
    if (fault('ws-accepts-deleted-identity')) return true;
    return this.opts.identityExists(identityId);
  }

  /** The grants of an identity, or [] for a token whose subject is not an identity id; undefined when the lookup failed. */
  private async loadGrants(identityId: number): Promise<Grant[] | undefined> {
    if (!Number.isSafeInteger(identityId)) return [];
    try {
      return await this.opts.grantsOf(identityId);
    } catch (err) {
      this.opts.log.error({ err, identity: identityId }, 'could not load the grants of a WebSocket client');
      return undefined;
    }
  }

  /** Every 30 s: reload the grants of every connected identity (one query per identity), so new assignments take effect. */
  private async refreshGrants(): Promise<void> {
    const byIdentity = new Map<number, Client[]>();
    for (const c of this.clients.values()) {
      if (!Number.isSafeInteger(c.identityId)) continue;
      const list = byIdentity.get(c.identityId) ?? [];
      list.push(c);
      byIdentity.set(c.identityId, list);
    }
    for (const [identityId, clients] of byIdentity) {
      const grants = await this.loadGrants(identityId);
      if (grants) for (const c of clients) c.grants = grants; // on failure keep the last known grants
    }
  }

  private onConnection(ws: WebSocket, claims: TokenClaims, grants: Grant[], socket: Duplex): void {
    const client: Client = {
      id: `client_${this.nextClient++}`,
      ws,
      socket,
      filters: new Map(),
      claims,
      identityId: Number(claims.sub),
      grants,
      alive: true,
    };
    this.clients.set(client.id, client);
    this.opts.log.info({ client_id: client.id, sub: claims.sub, token_type: claims.token_type }, 'WebSocket client connected');
    ws.send(welcomeFrame(client.id));

    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data) => this.onClientMessage(client, Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8')));
    ws.on('error', (err) => this.opts.log.debug({ client_id: client.id, err: err.message }, 'WebSocket client error'));
    ws.on('close', (code) => {
      if (client.expiryTimer) clearTimeout(client.expiryTimer);
      this.clients.delete(client.id);
      this.opts.log.info({ client_id: client.id, code }, 'WebSocket client disconnected');
    });

    const untilExpiry = claims.exp * 1000 - Date.now();
    if (untilExpiry <= 0) this.expire(client);
    else if (untilExpiry < MAX_TIMER_MS) {
      client.expiryTimer = setTimeout(() => this.expire(client), untilExpiry + 5);
      client.expiryTimer.unref();
    }
  }

  private onClientMessage(client: Client, text: string): void {
    let frame;
    try {
      frame = parseClientFrame(text);
    } catch (err) {
      client.ws.send(errorFrame(err instanceof ClientFrameError ? err.message : 'invalid message'));
      return;
    }
    if (frame.type === 'ping') return;
    let filter: Filter;
    try {
      filter = parseFilter(frame.filter);
    } catch (err) {
      client.ws.send(errorFrame(err instanceof FilterError ? err.message : 'invalid filter'));
      return;
    }
    const key = filterKey(filter);
    // fault ws-subscribe-unchecked: any filter is accepted, whoever asks
    if (frame.type === 'subscribe' && !fault('ws-subscribe-unchecked') && !maySubscribe(client.grants, client.identityId, filter)) {
      this.opts.log.debug({ client_id: client.id, filter: key }, 'subscription refused');
      client.ws.send(errorFrame(UNAUTHORIZED_SUBSCRIPTION));
      return;
    }
    if (frame.type === 'subscribe') client.filters.set(key, filter);
    else client.filters.delete(key);
    this.opts.log.debug({ client_id: client.id, action: frame.type, filter: key, filters: client.filters.size }, 'subscription changed');
  }

  private expire(client: Client): void {
    if (client.ws.readyState === WebSocket.OPEN || client.ws.readyState === WebSocket.CONNECTING) {
      this.opts.log.info({ client_id: client.id }, 'closing WebSocket: token expired');
      client.ws.close(4401, 'token expired');
    }
  }

  /** Every 30 s: close connections whose token expired and drop peers that stopped answering pings. */
  private sweep(): void {
    const nowSec = Date.now() / 1000;
    for (const c of this.clients.values()) {
      if (c.claims.exp <= nowSec) {
        this.expire(c);
        continue;
      }
      if (!c.alive) {
        this.opts.log.info({ client_id: c.id }, 'WebSocket client stopped answering pings; terminating');
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}
