/**
 * Questions about the fires of timers: what instant each event of a date or cron timer was due at (the date timer's
 * `fire_at`, the cron timer's `scheduled_at`), when it really fired (`fired_at`) and when the event was recorded
 * (`created`); how often interval timers fired, and ran their action, within a window from their creation.
 */
import type { EventSummary, Rule } from '../api/models';
import type { AttuneWorld } from '../world';
import { enforcementsOf } from './enforcements';
import { event, eventsOf, type Event } from './events';
import { executionsOf, type ExecutionSummary } from './executions';

export interface TimerFire {
  event: Event;
  /** payload.type */
  type: unknown;
  /** the instant the fire was due at (epoch ms): payload.fire_at (date) or payload.scheduled_at (cron) */
  dueAt: number;
  /** the text the payload gave for that instant */
  dueText: string;
  /** payload.fired_at (epoch ms) */
  firedAt: number;
  /** event.created (epoch ms) */
  createdAt: number;
  payload: Record<string, unknown>;
}

function instant(text: unknown, what: string, eventId: number): number {
  const value = typeof text === 'string' ? Date.parse(text) : NaN;
  if (!Number.isFinite(value)) throw new Error(`event ${eventId}: ${what} is not a timestamp: ${JSON.stringify(text)}`);
  return value;
}

/** Reads each event and picks out its timing; `dueField` is `fire_at` (date timers) or `scheduled_at` (cron timers). */
export async function timerFires(world: AttuneWorld, events: EventSummary[], dueField: 'fire_at' | 'scheduled_at'): Promise<TimerFire[]> {
  const fires: TimerFire[] = [];
  for (const summary of events) {
    const full = await event(world, summary.id);
    const payload = (full.payload ?? {}) as Record<string, unknown>;
    if (typeof payload !== 'object' || Array.isArray(payload)) throw new Error(`event ${full.id}: payload is not an object`);
    fires.push({
      event: full,
      type: payload.type,
      dueAt: instant(payload[dueField], `payload.${dueField}`, full.id),
      dueText: String(payload[dueField]),
      firedAt: instant(payload.fired_at, 'payload.fired_at', full.id),
      createdAt: instant(full.created, 'created', full.id),
      payload,
    });
  }
  return fires;
}

/** One line per fire, for failure messages and the report log. */
export function describeFires(fires: TimerFire[]): string {
  return fires
    .map((f) => `event #${f.event.id}: due ${f.dueText}, fired_at +${f.firedAt - f.dueAt} ms, created +${f.createdAt - f.dueAt} ms`)
    .join('; ');
}

/** What a timer rule did within a window counted from its own creation. */
export interface WindowCount {
  ruleRef: string;
  /** the rule's `created` stamp (epoch ms) */
  from: number;
  /** from + window */
  to: number;
  /** events of the rule stamped in (from, to] */
  events: EventSummary[];
  /** executions whose enforcement came from one of those events (one per event expected) */
  executions: ExecutionSummary[];
  /** those events that led to no execution, or to more than one */
  unmatched: Array<{ event: number; executions: number }>;
}

/**
 * For each rule: its events stamped within `windowMs` after the rule's own `created` stamp, and the executions they
 * led to (event → enforcement of the rule → execution).
 */
export async function countWithinWindow(world: AttuneWorld, rules: Rule[], windowMs: number): Promise<WindowCount[]> {
  const out: WindowCount[] = [];
  for (const rule of rules) {
    const from = Date.parse(rule.created);
    const to = from + windowMs;
    const events = (await eventsOf(world, { rule_ref: rule.ref })).filter((e) => {
      const at = Date.parse(e.created);
      return at > from && at <= to;
    });
    const enforcements = await enforcementsOf(world, { rule_ref: rule.ref });
    const executions = await executionsOf(world, { rule_ref: rule.ref });
    const matched: ExecutionSummary[] = [];
    const unmatched: WindowCount['unmatched'] = [];
    for (const e of events) {
      const ids = new Set(enforcements.filter((f) => f.event === e.id).map((f) => f.id));
      const runs = executions.filter((x) => x.enforcement !== null && x.enforcement !== undefined && ids.has(x.enforcement));
      if (runs.length === 1) matched.push(runs[0]);
      else unmatched.push({ event: e.id, executions: runs.length });
    }
    out.push({ ruleRef: rule.ref, from, to, events, executions: matched, unmatched });
  }
  return out;
}

/** The newest `created` stamp (epoch ms) among the events of these rules, or -Infinity. */
export async function latestEventStamp(world: AttuneWorld, ruleRefs: string[]): Promise<number> {
  let latest = -Infinity;
  for (const ref of ruleRefs) for (const e of await eventsOf(world, { rule_ref: ref })) latest = Math.max(latest, Date.parse(e.created));
  return latest;
}

export interface EventRuns {
  eventId: number;
  /** event.created (epoch ms) */
  createdAt: number;
  /** the executions of the rule whose enforcement names this event */
  executions: number[];
}

/**
 * Each event of a rule with the executions it led to (execution → its enforcement → that enforcement's event), oldest
 * event first; an execution whose enforcement names no event of the rule is returned under `unlinked`.
 */
export async function runsPerEvent(world: AttuneWorld, ruleRef: string): Promise<{ events: EventRuns[]; unlinked: number[] }> {
  const [events, enforcements, executions] = await Promise.all([
    eventsOf(world, { rule_ref: ruleRef }),
    enforcementsOf(world, { rule_ref: ruleRef }),
    executionsOf(world, { rule_ref: ruleRef }),
  ]);
  const eventOfEnforcement = new Map(enforcements.map((e) => [e.id, e.event]));
  const byEvent = new Map<number, EventRuns>(
    events.map((e) => [e.id, { eventId: e.id, createdAt: Date.parse(e.created), executions: [] as number[] }]),
  );
  const unlinked: number[] = [];
  for (const run of executions) {
    const eventId = run.enforcement == null ? undefined : eventOfEnforcement.get(run.enforcement);
    const target = eventId == null ? undefined : byEvent.get(eventId);
    if (target) target.executions.push(run.id);
    else unlinked.push(run.id);
  }
  return { events: [...byEvent.values()].sort((a, b) => a.createdAt - b.createdAt || a.eventId - b.eventId), unlinked };
}
