/** Frames of the notifier WebSocket protocol: building server frames, parsing client frames. */

export interface NotificationFrame {
  type: 'notification';
  notification_type: string;
  entity_type: string;
  entity_id: number;
  user_id: unknown;
  payload: Record<string, unknown>;
  timestamp: string;
}

export type BuildResult = { ok: true; frame: NotificationFrame } | { ok: false; reason: string };

/**
 * Turns one pg notification into a frame. The payload must be a JSON object carrying a string
 * `entity_type` and an integer `entity_id`; anything else is refused with a reason.
 */
export function buildNotificationFrame(channel: string, rawPayload: string | undefined, receivedAt: Date): BuildResult {
  if (rawPayload === undefined || rawPayload === '') return { ok: false, reason: 'empty payload' };
  let payload: unknown;
  try {
    payload = JSON.parse(rawPayload);
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'payload is not a JSON object' };
  const p = payload as Record<string, unknown>;
  if (typeof p.entity_type !== 'string') return { ok: false, reason: 'payload lacks a string entity_type' };
  if (typeof p.entity_id !== 'number' || !Number.isInteger(p.entity_id)) return { ok: false, reason: 'payload lacks an integer entity_id' };
  return {
    ok: true,
    frame: {
      type: 'notification',
      notification_type: channel,
      entity_type: p.entity_type,
      entity_id: p.entity_id,
      user_id: p.user_id ?? null,
      payload: p,
      timestamp: receivedAt.toISOString(),
    },
  };
}

export function welcomeFrame(clientId: string): string {
  return JSON.stringify({ type: 'welcome', client_id: clientId, message: 'Connected to Attune Notifier' });
}

export function errorFrame(message: string): string {
  return JSON.stringify({ type: 'error', message });
}

export type ClientFrame = { type: 'subscribe'; filter: unknown } | { type: 'unsubscribe'; filter: unknown } | { type: 'ping' };

export class ClientFrameError extends Error {}

/** Parses a client's text frame; throws ClientFrameError for anything malformed or unknown. */
export function parseClientFrame(text: string): ClientFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ClientFrameError('invalid message: not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ClientFrameError('invalid message: expected a JSON object');
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'subscribe':
    case 'unsubscribe':
      if (!('filter' in m)) throw new ClientFrameError(`invalid ${m.type} message: missing "filter"`);
      return { type: m.type, filter: m.filter };
    case 'ping':
      return { type: 'ping' };
    default:
      throw new ClientFrameError(`unknown message type ${JSON.stringify(m.type ?? null)}`);
  }
}
