/**
 * Subscription filters of the notifier WebSocket. A client's filters are ORed; a client without
 * filters receives nothing.
 *   all | entity_type:<t> | entity:<t>:<id> | user:<id> | notification_type:<channel> | trigger_ref:<ref>
 */
import type { NotificationFrame } from './frames';

export type Filter =
  | { kind: 'all' }
  | { kind: 'entity_type'; entityType: string }
  | { kind: 'entity'; entityType: string; entityId: number }
  | { kind: 'user'; userId: number }
  | { kind: 'notification_type'; channel: string }
  | { kind: 'trigger_ref'; triggerRef: string };

export class FilterError extends Error {}

function parseId(text: string, what: string, filter: string): number {
  if (!/^\d+$/.test(text)) throw new FilterError(`invalid filter '${filter}': ${what} must be a non-negative integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new FilterError(`invalid filter '${filter}': ${what} is out of range`);
  return n;
}

function nonEmpty(value: string, what: string, filter: string): string {
  if (value.trim() === '') throw new FilterError(`invalid filter '${filter}': ${what} must not be empty`);
  return value;
}

/** Parses a filter string; throws FilterError with a message suitable for the client. */
export function parseFilter(raw: unknown): Filter {
  if (typeof raw !== 'string') throw new FilterError('filter must be a string');
  const text = raw.trim();
  if (text === '') throw new FilterError('filter must not be empty');
  if (text === 'all') return { kind: 'all' };
  const colon = text.indexOf(':');
  if (colon < 0) throw new FilterError(`unknown filter '${text}'`);
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case 'entity_type':
      return { kind, entityType: nonEmpty(rest, 'entity type', text) };
    case 'entity': {
      const sep = rest.lastIndexOf(':');
      if (sep < 0) throw new FilterError(`invalid filter '${text}': expected entity:<entity_type>:<id>`);
      return { kind, entityType: nonEmpty(rest.slice(0, sep), 'entity type', text), entityId: parseId(rest.slice(sep + 1), 'entity id', text) };
    }
    case 'user':
      return { kind, userId: parseId(rest, 'user id', text) };
    case 'notification_type':
      return { kind, channel: nonEmpty(rest, 'notification type', text) };
    case 'trigger_ref':
      return { kind, triggerRef: nonEmpty(rest, 'trigger ref', text) };
    default:
      throw new FilterError(`unknown filter '${text}'`);
  }
}

/** Canonical text of a filter (the key under which a client's subscription is stored). */
export function filterKey(f: Filter): string {
  switch (f.kind) {
    case 'all':
      return 'all';
    case 'entity_type':
      return `entity_type:${f.entityType}`;
    case 'entity':
      return `entity:${f.entityType}:${f.entityId}`;
    case 'user':
      return `user:${f.userId}`;
    case 'notification_type':
      return `notification_type:${f.channel}`;
    case 'trigger_ref':
      return `trigger_ref:${f.triggerRef}`;
  }
}

export function filterMatches(f: Filter, n: NotificationFrame): boolean {
  switch (f.kind) {
    case 'all':
      return true;
    case 'entity_type':
      return n.entity_type === f.entityType;
    case 'entity':
      return n.entity_type === f.entityType && n.entity_id === f.entityId;
    case 'user':
      return n.user_id !== null && Number(n.user_id) === f.userId;
    case 'notification_type':
      return n.notification_type === f.channel;
    case 'trigger_ref':
      return n.payload.trigger_ref === f.triggerRef;
  }
}

/** True when any of the filters matches (an empty set matches nothing). */
export function anyFilterMatches(filters: Iterable<Filter>, n: NotificationFrame): boolean {
  for (const f of filters) if (filterMatches(f, n)) return true;
  return false;
}
