/**
 * "Those events", "those enforcements", "those executions": what earlier steps of the scenario narrowed down to.
 */
import type { EnforcementSummary } from './questions/enforcements';
import type { EventSummary } from './questions/events';
import type { ExecutionSummary } from './questions/executions';
import type { AttuneWorld } from './world';

export function focusedEvents(world: AttuneWorld): EventSummary[] {
  const events = world.focus.events;
  if (!events || events.length === 0) throw new Error('No events are in focus yet (e.g. "When the rule "x" has fired 5 times").');
  return events;
}

/** event id → its enforcement */
export function focusedEnforcements(world: AttuneWorld): Map<number, EnforcementSummary> {
  const enforcements = world.focus.enforcements;
  if (!enforcements || enforcements.size === 0) throw new Error('No enforcements are in focus yet ("each of those events led to …").');
  return enforcements;
}

/** enforcement id → its execution */
export function focusedExecutions(world: AttuneWorld): Map<number, ExecutionSummary> {
  const executions = world.focus.executions;
  if (!executions || executions.size === 0) throw new Error('No executions are in focus yet ("each of those enforcements led to …").');
  return executions;
}
