import { randomUUID } from 'node:crypto';
import { MESSAGE_ROUTES, MessageType } from './models';
import { parseExact } from './exact-json';

/** Attune's message envelope: every AMQP body is one of these, JSON, UTF-8. */
export interface Envelope<P = Record<string, unknown>> {
  message_id: string;
  correlation_id: string;
  message_type: string;
  version: string;
  timestamp: string;
  headers: { retry_count: number; source_service?: string; trace_id?: string; [k: string]: unknown };
  payload: P;
}

export function makeEnvelope<P extends Record<string, unknown>>(
  messageType: MessageType,
  payload: P,
  opts: { correlationId?: string; source?: string; headers?: Record<string, unknown> } = {},
): Envelope<P> {
  const id = randomUUID();
  return {
    message_id: id,
    correlation_id: opts.correlationId ?? id,
    message_type: messageType,
    version: '1.0',
    timestamp: new Date().toISOString(),
    headers: { retry_count: 0, ...(opts.source ? { source_service: opts.source } : {}), ...(opts.headers ?? {}) },
    payload,
  };
}

export class EnvelopeError extends Error {}

/** Parses and checks a message body; fills the defaults Attune's consumers fill. Throws EnvelopeError. */
export function parseEnvelope(body: Buffer | string): Envelope {
  let raw: unknown;
  try {
    raw = parseExact(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new EnvelopeError(`message body is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EnvelopeError('message body is not a JSON object');
  const env = raw as Partial<Envelope> & Record<string, unknown>;
  // own keys only: `in` would also accept "toString", "constructor", "__proto__" … from Object.prototype
  if (typeof env.message_type !== 'string' || !Object.prototype.hasOwnProperty.call(MESSAGE_ROUTES, env.message_type)) {
    throw new EnvelopeError(`unknown message_type ${JSON.stringify(env.message_type)}`);
  }
  if (typeof env.payload !== 'object' || env.payload === null || Array.isArray(env.payload)) {
    throw new EnvelopeError('payload must be a JSON object');
  }
  const messageId = typeof env.message_id === 'string' && env.message_id ? env.message_id : randomUUID();
  return {
    message_id: messageId,
    correlation_id: typeof env.correlation_id === 'string' && env.correlation_id ? env.correlation_id : messageId,
    message_type: env.message_type,
    version: typeof env.version === 'string' ? env.version : '1.0',
    timestamp: typeof env.timestamp === 'string' ? env.timestamp : new Date().toISOString(),
    headers: { retry_count: 0, ...((env.headers as object) ?? {}) },
    payload: env.payload as Record<string, unknown>,
  };
}

/** Reads a required positive integer id from a payload, or throws EnvelopeError naming the field. */
export function requireId(payload: Record<string, unknown>, field: string): number {
  const v = payload[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new EnvelopeError(`payload.${field} must be an integer id, got ${JSON.stringify(v)}`);
  return v;
}
