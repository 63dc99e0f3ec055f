/**
 * Reads about what one notifier connection received: a status frame of one execution, and frames about anything
 * other than the things a tenant owns.
 */
import { expect } from 'chai';
import { eventually } from '../eventually';
import type { NotificationStream, ReceivedFrame } from '../notifications';
import { timeouts } from '../timeouts';

/** Waits until the stream saw a status frame of the execution with the given status; returns the statuses seen. */
export async function awaitStatusFrame(stream: NotificationStream, who: string, executionId: number, status: string): Promise<string[]> {
  return eventually(
    `${who} to be notified that execution ${executionId} went "${status}"`,
    async () => stream.statusSequence(executionId),
    (sequence) => sequence.includes(status),
    { timeoutMs: timeouts.executionTerminal },
  );
}

/** A short text of a frame for failure messages. */
export function describeFrame(f: ReceivedFrame): string {
  const { notification_type, entity_type, entity_id, payload } = f.frame;
  return `${notification_type} ${entity_type} ${entity_id} (status ${String(payload?.status ?? '-')}, ref ${String(payload?.action_ref ?? payload?.trigger_ref ?? payload?.rule_ref ?? '-')})`;
}

/** Notification frames the stream received that are not about the given executions. */
export function framesNotAbout(stream: NotificationStream, executionIds: number[]): ReceivedFrame[] {
  return stream.notifications().filter((f) => !(f.frame.entity_type === 'execution' && executionIds.includes(Number(f.frame.entity_id))));
}

/** Waits for the connection's first error frame, then requires it to be the only one (and the connection still open). */
export async function expectOneErrorFrame(stream: NotificationStream, who: string, message: string): Promise<void> {
  const errors = () => stream.frames.filter((f) => f.frame.type === 'error').map((f) => ({ type: f.frame.type, message: f.frame.message }));
  await eventually(`${who} to receive an error frame`, async () => errors(), (seen) => seen.length >= 1, { timeoutMs: timeouts.websocketWelcome });
  expect({ errors: errors(), open: stream.isOpen }, `the error frames on ${who}, and whether it stayed open`).to.deep.equal({ errors: [{ type: 'error', message }], open: true });
}
