/**
 * The typed HTTP client of the suite: openapi-fetch over the generated `paths`, one client per actor (tenant, admin,
 * anonymous) so personas never share a token. Every request lands in the scenario's transcript, which the After hook
 * attaches to the report when the scenario fails.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { noteApiCall } from '../coverage';
import { noteMethod } from './envelopes';
import { jsonText, parseJsonExact } from '../json-text';

export type Schemas = components['schemas'];
export type TypedClient = Client<paths>;

export interface TranscriptEntry {
  actor: string;
  method: string;
  /** the templated path when the typed client made the call, else the concrete path */
  path: string;
  url: string;
  status: number | 'network-error';
  durationMs: number;
  at: string;
  requestBody?: string;
  responseBody?: string;
  error?: string;
}

export type Transcript = TranscriptEntry[];
export type TokenProvider = () => string | undefined | Promise<string | undefined>;

export interface RawResponse<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  headers: Headers;
  contentType: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RawOptions {
  /** extra headers; an `authorization` header here replaces the actor's token */
  headers?: Record<string, string>;
  /** send the request without the actor's token */
  anonymous?: boolean;
  /** answer a redirect as it is (status and Location) instead of following it */
  manualRedirect?: boolean;
}

export interface ApiClient extends TypedClient {
  readonly baseUrl: string;
  readonly actor: string;
  /**
   * Thin fallback for calls the published document does not describe (or describes without the `{data}` wrapper the
   * server adds): JSON in, parsed JSON (or text) out. A FormData body is sent as multipart.
   */
  raw<T = unknown>(method: HttpMethod, path: string, body?: unknown, options?: RawOptions): Promise<RawResponse<T>>;
}

const BODY_LIMIT = 2000;

function trim(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  return text.length > BODY_LIMIT ? `${text.slice(0, BODY_LIMIT)}… (${text.length} chars)` : text;
}

/** Never put secrets into the report: password-like fields and tokens are masked. */
export function redact(text: string | undefined): string | undefined {
  if (!text) return text;
  return text
    .replace(/("(?:password|current_password|new_password|access_token|refresh_token|token)"\s*:\s*")[^"]*(")/g, '$1***$2')
    .replace(/(Bearer\s+)[A-Za-z0-9._-]+/g, '$1***');
}

async function describeRequestBody(request: Request): Promise<string | undefined> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('multipart/')) return '(multipart body)';
  try {
    return trim(redact(await request.clone().text()));
  } catch {
    return undefined;
  }
}

async function describeResponseBody(response: Response): Promise<string | undefined> {
  try {
    return trim(redact(await response.clone().text()));
  } catch {
    return undefined;
  }
}

function transcriptMiddleware(actor: string, transcript: Transcript): Middleware {
  const started = new Map<string, { at: number; body?: string }>();
  return {
    async onRequest({ request, id }) {
      started.set(id, { at: Date.now(), body: await describeRequestBody(request) });
      return undefined;
    },
    async onResponse({ request, response, schemaPath, id }) {
      const start = started.get(id);
      started.delete(id);
      noteMethod(response, request.method);
      noteApiCall(request.method, schemaPath, response.status);
      transcript.push({
        actor,
        method: request.method,
        path: schemaPath,
        url: request.url,
        status: response.status,
        durationMs: start ? Date.now() - start.at : -1,
        at: new Date().toISOString(),
        requestBody: start?.body,
        responseBody: await describeResponseBody(response),
      });
      return undefined;
    },
    async onError({ request, schemaPath, id, error }) {
      const start = started.get(id);
      started.delete(id);
      transcript.push({
        actor,
        method: request.method,
        path: schemaPath,
        url: request.url,
        status: 'network-error',
        durationMs: start ? Date.now() - start.at : -1,
        at: new Date().toISOString(),
        requestBody: start?.body,
        error: describeNetworkError(error),
      });
      // replace undici's bare "fetch failed" with a message that says what could not be reached
      return new Error(`${request.method} ${request.url} could not be sent: ${describeNetworkError(error)}`);
    },
  };
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as (Error & { code?: string }) | undefined;
  return cause ? `${error.message} (${cause.message || cause.code || String(cause)})` : error.message;
}

function authMiddleware(tokenProvider: TokenProvider): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return request;
      const token = await tokenProvider();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
}

export function createApiClient(
  baseUrl: string,
  tokenProvider: TokenProvider,
  transcript: Transcript,
  actor = 'anonymous',
): ApiClient {
  const typed = createClient<paths>({ baseUrl });
  // registration order: auth first, then the transcript sees the final request
  typed.use(authMiddleware(tokenProvider));
  typed.use(transcriptMiddleware(actor, transcript));

  async function raw<T>(method: HttpMethod, path: string, body?: unknown, options: RawOptions = {}): Promise<RawResponse<T>> {
    const url = `${baseUrl}${path}`;
    const headers = new Headers(options.headers ?? {});
    if (!options.anonymous && !headers.has('authorization')) {
      const token = await tokenProvider();
      if (token) headers.set('Authorization', `Bearer ${token}`);
    }
    let payload: string | FormData | undefined;
    let shownBody: string | undefined;
    if (body instanceof FormData) {
      payload = body;
      shownBody = '(multipart body)';
    } else if (body !== undefined) {
      payload = typeof body === 'string' ? body : jsonText(body);
      if (!headers.has('content-type')) headers.set('Content-Type', 'application/json');
      shownBody = trim(redact(String(payload)));
    }
    const at = Date.now();
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: payload, redirect: options.manualRedirect ? 'manual' : 'follow' });
    } catch (error) {
      transcript.push({
        actor,
        method,
        path,
        url,
        status: 'network-error',
        durationMs: Date.now() - at,
        at: new Date().toISOString(),
        requestBody: shownBody,
        error: describeNetworkError(error),
      });
      throw new Error(`${method} ${url} could not be sent: ${describeNetworkError(error)}`);
    }
    const text = await response.text();
    noteApiCall(method, path, response.status);
    transcript.push({
      actor,
      method,
      path,
      url,
      status: response.status,
      durationMs: Date.now() - at,
      at: new Date().toISOString(),
      requestBody: shownBody,
      responseBody: trim(redact(text)),
    });
    const contentType = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (text !== '' && (contentType.includes('json') || /^[[{]/.test(text.trim()))) {
      try {
        // exact: an integer beyond 2^53 in the answer stays the integer the target wrote
        parsed = parseJsonExact(text, 'the answer');
      } catch {
        parsed = text;
      }
    } else if (text === '') {
      parsed = undefined;
    }
    return { status: response.status, ok: response.ok, body: parsed as T, headers: response.headers, contentType };
  }

  return Object.assign(typed, { baseUrl, actor, raw }) as ApiClient;
}
export { listItems, unwrap } from './envelopes';
