@tier1 @timers
Feature: Interval timers
  A rule on the core interval timer (core.intervaltimer) MUST fire once per interval
  while it is enabled, and every fire MUST travel the whole automation chain: exactly
  one event for the rule, exactly one enforcement of the rule for that event (processed),
  and exactly one execution of the rule's action for that enforcement, which completes
  with the parameters rendered from that very event.

  Timing: consecutive events of a 1 second timer MUST be 1000 ms ± 250 ms apart, measured
  on the events' own creation stamps (the tolerance is justified in support/timeouts.ts:
  a double fire or a missed fire lands far outside it, scheduler jitter stays well inside).

  Lifecycle: the notifier MUST show each execution going requested → scheduling →
  scheduled → running → completed, in that order; a target that never writes the
  transient "scheduling" status passes as long as the order holds.

  A disabled rule MUST stop firing: after the disable call returns (allowing 200 ms for a
  fire that was already on its way), no new event of the rule may appear for 3 seconds.

  Catalog: T1.1; README example 1

  Background:
    Given a pack of my own

  Rule: An enabled interval timer drives its action once per interval

    Scenario: A 1-second timer runs core.echo with each fire's own timestamp
      Given I am watching execution notifications
      And a rule "timer rule" that runs "core.echo" every 1 second with the parameters:
        | message | fired at {{ event.payload.fired_at }} |
      When the rule "timer rule" has fired 5 times
      Then those events are 1 second apart
      And each of those events led to exactly one processed enforcement of the rule "timer rule"
      And each of those enforcements led to exactly one execution of "core.echo"
      And every one of those executions succeeds
      And every one of those executions printed "fired at {{ event.payload.fired_at }}" filled in from its own event
      And the notifications show each of those executions going requested → scheduling → scheduled → running → completed

  Rule: A disabled interval timer stops firing

    Scenario: Disabling the rule silences the timer
      Given a rule "quiet rule" that runs "core.echo" every 1 second with the parameters:
        | message | still here at {{ event.payload.fired_at }} |
      And the rule "quiet rule" has fired 1 time
      When the rule "quiet rule" is disabled
      Then the rule "quiet rule" fires no more events
