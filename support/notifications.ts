/**
 * A WebSocket client of Attune's notifier. It authenticates at the upgrade (bearer header, subprotocol `attune.v1`),
 * waits for the welcome frame, and buffers every frame with its receipt time so steps can assert on ordered sequences
 * afterwards. Subscribe BEFORE the step that acts: delivery is live only, nothing is replayed.
 */
import WebSocket from 'ws';
import { noteChannel } from './coverage';
import { eventually } from './eventually';
import { timeouts } from './timeouts';

export interface NotificationFrame {
  type?: string;
  notification_type?: string;
  entity_type?: string;
  entity_id?: number;
  user_id?: number | null;
  payload?: Record<string, unknown> & { status?: string; old_status?: string };
  timestamp?: string;
  [key: string]: unknown;
}

export interface ReceivedFrame {
  receivedAt: number;
  frame: NotificationFrame;
  raw?: string;
}

export class NotificationStream {
  readonly frames: ReceivedFrame[] = [];
  readonly filters: string[] = [];
  private welcome?: NotificationFrame;
  private failure?: Error;
  private closed = false;
  /** how the connection ended (the close code and reason), once it has */
  closedWith?: { code: number; reason: string };

  private constructor(
    readonly url: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => {
      const text = data.toString();
      let frame: NotificationFrame;
      try {
        frame = JSON.parse(text) as NotificationFrame;
      } catch {
        this.frames.push({ receivedAt: Date.now(), frame: { type: 'unparsable' }, raw: text.slice(0, 500) });
        return;
      }
      if (frame.type === 'welcome' && !this.welcome) this.welcome = frame;
      if (frame.type === 'notification') noteChannel(frame.notification_type);
      this.frames.push({ receivedAt: Date.now(), frame });
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => {
        this.failure = new Error(`the notifier at ${url} refused the upgrade with HTTP ${response.statusCode}: ${body.slice(0, 500)}`);
      });
      response.on('error', () => undefined);
    });
    socket.on('error', (error) => {
      this.failure ??= new Error(`WebSocket error on ${url}: ${error.message}`);
    });
    socket.on('close', (code, reason) => {
      this.closed = true;
      this.closedWith ??= { code, reason: reason.toString() };
      this.failure ??= this.welcome ? undefined : new Error(`the notifier closed the connection (${code} ${reason.toString()}) before its welcome frame`);
    });
  }

  /** Connects with `Authorization: Bearer <token>` and subprotocol `attune.v1`; resolves once the welcome frame came. */
  static async open(url: string, token: string | undefined, welcomeTimeoutMs = timeouts.websocketWelcome): Promise<NotificationStream> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    const socket = new WebSocket(url, ['attune.v1'], { headers, handshakeTimeout: welcomeTimeoutMs });
    const stream = new NotificationStream(url, socket);
    try {
      await eventually(
        `the welcome frame of the notifier at ${url}`,
        async () => ({ welcome: stream.welcome, failure: stream.failure?.message, frames: stream.frames.length }),
        (state) => state.welcome !== undefined,
        {
          timeoutMs: welcomeTimeoutMs,
          intervalMs: 20,
          failFast: (state) => (state.welcome === undefined ? state.failure : undefined),
        },
      );
    } catch (error) {
      stream.terminate();
      throw error;
    }
    return stream;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  get welcomeFrame(): NotificationFrame | undefined {
    return this.welcome;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends `{"type":"subscribe","filter":...}` (the notifier does not acknowledge). */
  subscribe(filter: string): void {
    if (!this.isOpen) throw new Error(`cannot subscribe to "${filter}": the notifier connection is closed (${this.failure?.message ?? 'no reason'})`);
    this.socket.send(JSON.stringify({ type: 'subscribe', filter }));
    this.filters.push(filter);
  }

  notifications(): ReceivedFrame[] {
    return this.frames.filter((f) => f.frame.type === 'notification' || (f.frame.type === undefined && f.frame.notification_type));
  }

  /** Notification frames about one entity, in arrival order. */
  framesFor(entityType: string, id: number): ReceivedFrame[] {
    return this.notifications().filter((f) => f.frame.entity_type === entityType && Number(f.frame.entity_id) === id);
  }

  /** The statuses an execution went through, as seen in `execution_created` and `execution_status_changed` frames. */
  statusSequence(executionId: number): string[] {
    return this.framesFor('execution', executionId)
      .filter((f) => f.frame.notification_type === 'execution_created' || f.frame.notification_type === 'execution_status_changed')
      .map((f) => String(f.frame.payload?.status ?? '?'));
  }

  /** Closes the connection and waits (bounded) for the close handshake. */
  async close(): Promise<void> {
    if (this.closed || this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000, 'scenario finished');
    try {
      await eventually('the notifier connection to close', async () => this.socket.readyState, (s) => s === WebSocket.CLOSED, {
        timeoutMs: timeouts.websocketClose,
        intervalMs: 20,
      });
    } catch {
      this.terminate();
    }
  }

  terminate(): void {
    try {
      this.socket.terminate();
    } catch {
      /* already gone */
    }
    this.closed = true;
  }
}
