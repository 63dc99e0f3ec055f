/**
 * Questions about the execution updates stream (GET /api/v1/executions/stream): which runs' changes it carried, and
 * the statuses of one run in the order they came.
 */
import type { EventStream, StreamEvent } from '../event-stream';
import { eventually } from '../eventually';
import { isTerminal } from '../status';
import { timeouts } from '../timeouts';

export interface StreamedChange {
  event: string;
  entity_type: unknown;
  entity_id: unknown;
  status: unknown;
}

function changeOf(event: StreamEvent): StreamedChange {
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(event.data) as Record<string, unknown>;
  } catch {
    data = { unparsable: event.data };
  }
  return { event: event.event, entity_type: data.entity_type, entity_id: data.entity_id, status: data.status };
}

/** Every change the stream carried so far, in order. */
export function streamedChanges(stream: EventStream): StreamedChange[] {
  return stream.events.map(changeOf);
}

/** The changes of one execution, once the stream carried its terminal status (or the stream ended). */
export async function awaitStreamedRun(stream: EventStream, executionId: number): Promise<StreamedChange[]> {
  return eventually(
    `the execution stream to carry execution ${executionId} up to its end`,
    async () => streamedChanges(stream).filter((c) => c.entity_id === executionId),
    (changes) => changes.some((c) => typeof c.status === 'string' && isTerminal(c.status)),
    { timeoutMs: timeouts.executionTerminal, failFast: () => (stream.ended ? `the stream ended${stream.error ? ` (${stream.error})` : ''}` : undefined) },
  );
}
