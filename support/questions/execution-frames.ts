/**
 * Reads about the execution frames one notifier connection received: what each says (channel, entity, status, the
 * status before it, the row's `updated` stamp at that change), whether the frames of one run are exactly its
 * lifecycle, and how long after its database change each frame arrived.
 *
 * Latency: a frame's `payload.updated` is the row's `updated` column as the change wrote it (Attune's BEFORE UPDATE
 * trigger stamps it with the transaction's time; for `execution_created` it is the insert's). The suite stamps each
 * frame on arrival with its own clock. On the reference stack the database, the notifier and the suite share one
 * host and so one clock; against a remote target the two clocks must agree (NTP) to well under the bound.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../eventually';
import type { NotificationStream } from '../notifications';
import { isTerminal, OPTIONAL_LIFECYCLE_STEPS, type ExecutionStatus } from '../status';
import { timeouts } from '../timeouts';

export interface ExecutionFrameView {
  notification: string | undefined;
  entity_type: string | undefined;
  entity_id: number;
  id: unknown;
  status: string;
  old_status: unknown;
  /** the row's `updated` at this change, as the frame carries it */
  updated: unknown;
  /** when the notifier received the change from the database (the frame's `timestamp`) */
  relayedAt: unknown;
  /** when the suite received the frame (its own clock, ms since the epoch) */
  receivedAt: number;
}

/** The `execution_created` / `execution_status_changed` frames about one execution, in arrival order. */
export function executionFrames(stream: NotificationStream, executionId: number): ExecutionFrameView[] {
  return stream
    .framesFor('execution', executionId)
    .filter((f) => f.frame.notification_type === 'execution_created' || f.frame.notification_type === 'execution_status_changed')
    .map((f) => ({
      notification: f.frame.notification_type,
      entity_type: f.frame.entity_type,
      entity_id: Number(f.frame.entity_id),
      id: f.frame.payload?.id,
      status: String(f.frame.payload?.status ?? '?'),
      old_status: f.frame.payload?.old_status ?? null,
      updated: f.frame.payload?.updated,
      relayedAt: f.frame.timestamp,
      receivedAt: f.receivedAt,
    }));
}

/** Microseconds since the epoch of an RFC 3339 time with up to 6 fractional digits ("…12:00:00.123456+00:00"). */
export function epochMicros(text: unknown): number {
  if (typeof text !== 'string') throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/i.exec(text.trim());
  if (!m) throw new Error(`not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  const zone = m[3].toUpperCase() === 'Z' ? 'Z' : m[3].length === 3 ? `${m[3]}:00` : m[3].includes(':') ? m[3] : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const seconds = Date.parse(`${m[1]}${zone}`);
  if (Number.isNaN(seconds)) throw new Error(`not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  const fraction = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(fraction);
}

/** How long after its change in the database (the row's `updated`) the frame arrived, in ms (fractional). */
export function frameLatencyMs(frame: ExecutionFrameView): number {
  return frame.receivedAt - epochMicros(frame.updated) / 1000;
}

/** How long after the row's `updated` the notifier received the change (its frame `timestamp`), when it says. */
export function relayMs(frame: ExecutionFrameView): number | undefined {
  if (typeof frame.relayedAt !== 'string' || Number.isNaN(Date.parse(frame.relayedAt))) return undefined;
  return (epochMicros(frame.relayedAt) - epochMicros(frame.updated)) / 1000;
}

/**
 * Why the frames so far cannot be (a prefix of) the expected lifecycle, or undefined. Each frame must be about the
 * execution (entity_type, entity_id, payload.id), the first an `execution_created` with the first status, every
 * later one an `execution_status_changed` whose `old_status` is the status of the frame before it (so a frame that
 * went missing shows even where the status it carried is optional), and the statuses must follow `expected`, where
 * only the optional steps (`scheduling`) may be absent. With `complete`, the whole lifecycle must be there.
 */
export function lifecycleFramesProblem(
  frames: ExecutionFrameView[],
  executionId: number,
  expected: readonly ExecutionStatus[],
  complete: boolean,
): string | undefined {
  const shown = () => frames.map((f) => `${f.notification}:${f.old_status ?? '∅'}→${f.status}`).join(', ') || 'none';
  let next = 0;
  for (const [i, f] of frames.entries()) {
    if (f.entity_type !== 'execution' || f.entity_id !== executionId || Number(f.id) !== executionId) {
      return `frame ${i + 1} is about ${f.entity_type} ${f.entity_id} (payload.id ${String(f.id)}), not execution ${executionId}`;
    }
    const channel = i === 0 ? 'execution_created' : 'execution_status_changed';
    if (f.notification !== channel) return `frame ${i + 1} came on ${f.notification}, expected ${channel} (frames: ${shown()})`;
    if (i > 0 && f.old_status !== frames[i - 1].status) {
      return `frame ${i + 1} says the run left "${String(f.old_status)}", but the frame before it said "${frames[i - 1].status}": a frame is missing (frames: ${shown()})`;
    }
    while (next < expected.length && expected[next] !== f.status && OPTIONAL_LIFECYCLE_STEPS.has(expected[next])) next += 1;
    if (next >= expected.length || expected[next] !== f.status) {
      return `frame ${i + 1} carries status "${f.status}" out of place; expected the lifecycle ${expected.join(' → ')} (frames: ${shown()})`;
    }
    next += 1;
  }
  if (complete) {
    const missing = expected.slice(next).filter((s) => !OPTIONAL_LIFECYCLE_STEPS.has(s));
    if (missing.length > 0) return `no frame for ${missing.join(', ')} (frames: ${shown()})`;
  }
  return undefined;
}

/**
 * Waits until the connection received the execution's whole lifecycle, exactly (stopping at once on a wrong, missing
 * or surplus frame), then holds it for `executionFramesSettled` so that a late duplicate or a frame after the
 * terminal one is caught too. Returns the frames.
 */
export async function awaitLifecycleFrames(
  stream: NotificationStream,
  who: string,
  executionId: number,
  expected: readonly ExecutionStatus[],
): Promise<ExecutionFrameView[]> {
  const describe = `${who} to receive exactly one frame per status of execution ${executionId}: ${expected.join(' → ')}`;
  const final = expected[expected.length - 1];
  const frames = await eventually(
    describe,
    async () => executionFrames(stream, executionId),
    (seen) => {
      const problem = lifecycleFramesProblem(seen, executionId, expected, true);
      if (problem) throw new Error(problem);
    },
    {
      timeoutMs: timeouts.notificationFrame,
      failFast: (seen) => {
        const problem = lifecycleFramesProblem(seen, executionId, expected, false);
        if (problem) return problem;
        const ended = seen.find((f) => isTerminal(f.status));
        // frames of one execution come in commit order: once its terminal frame is here, nothing earlier can follow
        return ended && ended.status !== final ? `the frames show it ending "${ended.status}"` : ended ? lifecycleFramesProblem(seen, executionId, expected, true) : undefined;
      },
    },
  );
  await consistently(
    `${describe}, and no further frame about it`,
    timeouts.consistently.executionFramesSettled,
    async () => executionFrames(stream, executionId).length,
    (count) => count === frames.length,
  );
  return frames;
}

/** Each frame's latency must be within the bound; the terminal frame's `updated` must be the row's as the API reads it. */
export function expectFramesOnTime(frames: ExecutionFrameView[], executionId: number, rowUpdated: unknown, boundMs: number): string {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const latencies = frames.map((f) => ({ status: f.status, ms: round(frameLatencyMs(f)), relay: relayMs(f) }));
  const shown = latencies.map((l) => `${l.status} ${l.ms} ms (notifier got it after ${l.relay === undefined ? '?' : round(l.relay)} ms)`).join(', ');
  const last = frames[frames.length - 1];
  // compared to the millisecond: the API may give the row's stamp with fewer digits than the frame (µs)
  expect(
    Math.floor(epochMicros(last.updated) / 1000),
    `execution ${executionId}: the "${last.status}" frame's updated (${String(last.updated)}) against the row's updated (${String(rowUpdated)}), in ms`,
  ).to.equal(Math.floor(epochMicros(rowUpdated) / 1000));
  const late = latencies.filter((l) => l.ms > boundMs);
  expect(late, `execution ${executionId}: frames that arrived more than ${boundMs} ms after their change in the database (all: ${shown})`).to.deep.equal([]);
  return shown;
}
