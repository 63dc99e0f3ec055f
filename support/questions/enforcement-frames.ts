/**
 * Reads about the enforcement frames one notifier connection received: what each frame says about its enforcement
 * (the rule, the event, the status), the frames expected for the enforcements of an event, and the check that the
 * connection received exactly those, each enforcement's frames in order.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../eventually';
import type { NotificationStream } from '../notifications';
import type { RememberedRule } from '../tasks/rules';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { enforcementsOf, type EnforcementSummary } from './enforcements';

/** What one enforcement frame says, in the terms a scenario compares. */
export interface EnforcementFrameView {
  notification: string | undefined;
  enforcement: number;
  id: unknown;
  rule: unknown;
  rule_ref: unknown;
  trigger_ref: unknown;
  event: unknown;
  status: unknown;
}

/** One expected frame of an enforcement: its channel and the status the enforcement has in it. */
export interface ExpectedFrameRow {
  notification: string;
  status: string;
}

/** Every enforcement frame the stream received, in arrival order. */
export function enforcementFrames(stream: NotificationStream): EnforcementFrameView[] {
  return stream
    .notifications()
    .filter((f) => f.frame.entity_type === 'enforcement')
    .map((f) => ({
      notification: f.frame.notification_type,
      enforcement: Number(f.frame.entity_id),
      id: f.frame.payload?.id,
      rule: f.frame.payload?.rule,
      rule_ref: f.frame.payload?.rule_ref,
      trigger_ref: f.frame.payload?.trigger_ref,
      event: f.frame.payload?.event,
      status: f.frame.payload?.status,
    }));
}

/**
 * The one enforcement each rule made for the event, read over the API once all of them left `created` (so that the
 * frames of their status change were sent). Fails at once when the event has more enforcements than rules.
 */
export async function enforcementsOfEachRule(
  world: AttuneWorld,
  step: string,
  eventId: number,
  rules: RememberedRule[],
): Promise<Array<{ rule: RememberedRule; enforcement: EnforcementSummary }>> {
  const listed = await eventually(
    `[${step}] the ${rules.length} enforcement(s) of event ${eventId} (rules ${rules.map((r) => r.row.ref).join(', ')}) to leave "created"`,
    () => enforcementsOf(world, { event: eventId }, world.admin),
    (rows) => rows.length === rules.length && rows.every((e) => e.status !== 'created'),
    {
      timeoutMs: timeouts.enforcementResolved,
      failFast: (rows) => (rows.length > rules.length ? `event ${eventId} has ${rows.length} enforcements for ${rules.length} rule(s)` : undefined),
    },
  );
  return rules.map((rule) => {
    const mine = listed.filter((e) => e.rule === rule.row.id);
    expect(
      mine.map((e) => `enforcement #${e.id} of ${e.rule_ref} (event ${e.event}, ${e.status})`),
      `[${step}] the enforcements of rule ${rule.row.ref} (#${rule.row.id}) for event ${eventId}`,
    ).to.have.lengthOf(1);
    return { rule, enforcement: mine[0] };
  });
}

/** The frames a watcher of these enforcements must receive: for each enforcement, one frame per row, in row order. */
export function expectedEnforcementFrames(
  links: Array<{ rule: RememberedRule; enforcement: EnforcementSummary }>,
  eventId: number,
  rows: ExpectedFrameRow[],
): Map<number, EnforcementFrameView[]> {
  const expected = new Map<number, EnforcementFrameView[]>();
  for (const { rule, enforcement } of links) {
    expected.set(
      enforcement.id,
      rows.map((row) => ({
        notification: row.notification,
        enforcement: enforcement.id,
        id: enforcement.id,
        rule: rule.row.id,
        rule_ref: rule.row.ref,
        trigger_ref: rule.spec.trigger_ref,
        event: eventId,
        status: row.status,
      })),
    );
  }
  return expected;
}

/** The received frames grouped by enforcement, each group in arrival order; frames about other enforcements under `others`. */
function grouped(frames: EnforcementFrameView[], expected: Map<number, EnforcementFrameView[]>): { byEnforcement: Record<number, EnforcementFrameView[]>; others: EnforcementFrameView[] } {
  const byEnforcement: Record<number, EnforcementFrameView[]> = {};
  for (const id of expected.keys()) byEnforcement[id] = [];
  const others: EnforcementFrameView[] = [];
  for (const f of frames) (expected.has(f.enforcement) ? byEnforcement[f.enforcement] : others).push(f);
  return { byEnforcement, others };
}

/**
 * Waits until the stream received exactly the expected frames (each enforcement's in order, none about anything else),
 * stopping at once on a wrong or surplus frame; then holds that for `holdMs`, so a late duplicate is caught too.
 */
export async function expectExactlyTheseEnforcementFrames(
  stream: NotificationStream,
  step: string,
  expected: Map<number, EnforcementFrameView[]>,
  holdMs: number,
): Promise<void> {
  const wanted = { byEnforcement: Object.fromEntries(expected), others: [] as EnforcementFrameView[] };
  const describe = `[${step}] the enforcement frames on my connection to be exactly those of enforcement(s) ${[...expected.keys()].join(', ')}`;
  await eventually(
    describe,
    async () => grouped(enforcementFrames(stream), expected),
    (seen) => {
      expect(seen, `expected exactly ${JSON.stringify(wanted)}`).to.deep.equal(wanted);
    },
    {
      timeoutMs: timeouts.notificationFrame,
      failFast: (seen) => {
        if (seen.others.length > 0) return `frames about other enforcements arrived: ${JSON.stringify(seen.others)}`;
        for (const [id, frames] of Object.entries(seen.byEnforcement)) {
          const prefix = (expected.get(Number(id)) ?? []).slice(0, frames.length);
          if (frames.length > prefix.length || JSON.stringify(frames) !== JSON.stringify(prefix)) {
            return `the frames of enforcement ${id} are not the expected sequence so far: ${JSON.stringify(frames)}`;
          }
        }
        return undefined;
      },
    },
  );
  await consistently(
    `${describe}, with no further enforcement frame`,
    holdMs,
    async () => grouped(enforcementFrames(stream), expected),
    (seen) => {
      expect(seen, `expected exactly ${JSON.stringify(wanted)}`).to.deep.equal(wanted);
    },
  );
}
