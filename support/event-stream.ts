/**
 * A Server-Sent Events client for Attune's streaming routes (GET /api/v1/executions/stream,
 * GET /api/v1/executions/{id}/logs/{stream}/stream). The typed client cannot be used here: it reads whole bodies (its
 * transcript copies each one), and a stream's body never ends. This one reads the body as it arrives, parses it into
 * events (`event` name, defaulting to "message", `data` joined over its lines, `id`), ignores comment lines
 * (keep-alives), notes the call for contract coverage and in the scenario's transcript, and is closed by cleanup.
 */
import { noteApiCall } from './coverage';
import type { AttuneWorld } from './world';

export interface StreamEvent {
  event: string;
  data: string;
  id?: string;
  receivedAt: number;
}

/** Parses one SSE block (the lines between blank lines); undefined for a block of comments only. */
export function parseSseBlock(block: string, receivedAt = Date.now()): StreamEvent | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  let any = false;
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else continue;
    any = true;
  }
  return any ? { event, data: data.join('\n'), id, receivedAt } : undefined;
}

export class EventStream {
  readonly events: StreamEvent[] = [];
  ended = false;
  error?: string;

  private constructor(
    readonly status: number,
    readonly contentType: string,
    private readonly abort: AbortController,
  ) {}

  /**
   * Opens `path` (an API path with its query) with the world's access token. `operation` is the OpenAPI path the
   * call is counted under. An answer other than 200 is read whole and kept (`body`), with no events.
   */
  static async open(world: AttuneWorld, path: string, operation: string, token = world.tenant.accessToken): Promise<EventStream & { body?: string }> {
    const abort = new AbortController();
    const url = `${world.settings.apiUrl}${path}`;
    const at = Date.now();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: abort.signal });
    noteApiCall('GET', operation, response.status);
    const contentType = response.headers.get('content-type') ?? '';
    const stream = new EventStream(response.status, contentType, abort) as EventStream & { body?: string };
    world.onCleanup(`close the event stream ${path}`, async () => stream.close());
    world.transcript.push({
      actor: 'event stream', method: 'GET', path: operation, url, status: response.status, durationMs: Date.now() - at, at: new Date().toISOString(),
      responseBody: response.status === 200 ? '(event stream)' : undefined,
    });
    if (response.status !== 200 || !response.body) {
      stream.body = await response.text().catch(() => undefined);
      stream.ended = true;
      return stream;
    }
    void stream.pump(response.body);
    return stream;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: RegExpExecArray | null;
        while ((cut = /\r?\n\r?\n/.exec(buffer))) {
          const block = buffer.slice(0, cut.index);
          buffer = buffer.slice(cut.index + cut[0].length);
          const event = parseSseBlock(block);
          if (event) this.events.push(event);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.ended = true;
    }
  }

  close(): void {
    this.abort.abort();
  }
}
