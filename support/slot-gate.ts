/**
 * A gate for actions that must hold their slot until the scenario says so: an HTTP server in this cucumber worker
 * (on `target().callbackHost`, where the target's workers reach this machine) that an action calls as
 * `GET /gate/<label>` when it starts. The call is held open until the scenario opens that label's gate, so the
 * action's run lasts exactly as long as the scenario wants, with no sleep anywhere. The server records the order
 * in which the runs arrived, i.e. the order in which they started.
 *
 * A gate opened before its run arrives lets the run straight through. Closing the server drops held calls.
 */
import * as http from 'node:http';
import { baseUrlOf, listenOnFreePort } from './callback-server';
import { target } from './target';

export class SlotGate {
  private readonly arrived: string[] = [];
  private readonly held = new Map<string, http.ServerResponse>();
  private readonly opened = new Set<string>();
  private closed = false;

  private constructor(
    private readonly server: http.Server,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host: string = target().callbackHost): Promise<SlotGate> {
    let gate: SlotGate | undefined;
    const { server, port } = await listenOnFreePort(host, (req, res) => gate!.handle(req, res));
    gate = new SlotGate(server, host, port);
    return gate;
  }

  /** `http://<host>:<port>` (IPv6 hosts bracketed): what the action is given to call. */
  get baseUrl(): string {
    return baseUrlOf(this.host, this.port);
  }

  /** The labels of the runs that reached the gate, in arrival order. */
  arrivals(): string[] {
    return [...this.arrived];
  }

  /** Lets the run with this label through (now if it is waiting at the gate, on arrival otherwise). */
  open(label: string): void {
    this.opened.add(label);
    const res = this.held.get(label);
    if (res) {
      this.held.delete(label);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`open ${label}\n`);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const match = /^\/gate\/([A-Za-z0-9_-]+)$/.exec((req.url ?? '').split('?')[0]);
    req.resume();
    if (!match || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no such gate\n');
      return;
    }
    const label = match[1];
    this.arrived.push(label);
    if (this.opened.has(label)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`open ${label}\n`);
      return;
    }
    this.held.set(label, res);
    res.on('close', () => {
      if (this.held.get(label) === res) this.held.delete(label);
    });
  }

  /** Stops listening and drops every held call. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const res of this.held.values()) res.destroy();
    this.held.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }
}
