/**
 * Renders the `{{ event.… }}` placeholders of a rule's action parameters the way Attune does, so a step can compute
 * what an execution should have received from the event that caused it (contract §10.4).
 */

export interface EventContext {
  id: number;
  trigger?: number | string | null;
  trigger_ref?: string;
  created?: string;
  payload?: unknown;
}

function lookup(root: unknown, path: string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || node === undefined || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function resolve(expression: string, event: EventContext): unknown {
  const parts = expression.trim().split('.');
  if (parts[0] !== 'event') throw new Error(`only event.* placeholders can be rendered from an event, got "{{ ${expression} }}"`);
  const [, field, ...rest] = parts;
  switch (field) {
    case 'payload':
      return lookup(event.payload, rest);
    case 'id':
      return event.id;
    case 'trigger':
      return event.trigger_ref ?? event.trigger;
    case 'created':
      return event.created;
    default:
      throw new Error(`unknown event field in "{{ ${expression} }}"`);
  }
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Mixed strings are interpolated; missing values render empty. */
export function renderFromEvent(template: string, event: EventContext): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => asText(resolve(expression, event)));
}
