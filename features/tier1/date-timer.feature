@tier1 @timers
Feature: Date timers (one-shot)
  A rule on the core date timer (core.datetimetimer) MUST fire exactly once, at the date
  given in its "fire_at" parameter, and that one fire MUST run the rule's action to
  completion with the parameters rendered from the fire's own event. The event's payload
  MUST say which date it was set for ("fire_at", the very instant the rule asked for) and
  when it fired ("fired_at").

  Timing: the fire ("fired_at") and the event's creation stamp MUST both lie between the
  date and 250 ms after it, never before it. Measured on the reference stack: the fire
  0-27 ms and the event 3-69 ms after the date (175 fires, 25 runs).
  A fire a second late, or early, lands far outside the bound; scheduler and GC jitter stays
  far inside it (support/timeouts.ts, timerFireLateness). After its one fire the rule MUST
  produce no other event for 1.5 seconds (a repeated fire comes within about a second).

  A date that has already passed MUST be accepted by the API (the rule is stored, enabled,
  with its date unchanged) and MUST never fire: Attune's sensor ignores past dates, its API
  does not validate them (docs/decisions.md, Timers). A date an hour ahead MUST produce
  neither an event nor an execution. Both are watched for 1.5 seconds: the sensor learns a new
  rule within 30 ms, and a timer that ignored its date would fire as soon as it learned it.

  Catalog: T1.2

  Background:
    Given a pack of my own

  Rule: A date timer fires exactly once, on time, and runs its action

    Scenario: A date two seconds ahead fires once and runs its action with that fire's details
      Given a rule "alarm" that runs "core.echo" once, 2 seconds from now, with the parameters:
        | message | set for {{ event.payload.fire_at }}, rang at {{ event.payload.fired_at }} |
      When the rule "alarm" has fired 1 time
      Then those events came on time
      And the rule "alarm" fires no other event
      And each of those events ran "core.echo" exactly once, to completion, with the parameters rendered from that event

  Rule: A date that has passed is accepted but never fires

    Scenario: A date an hour ago is kept as given and never fires
      Given a rule "too late" that runs "core.echo" once, 1 hour ago, with the parameters:
        | message | this should never be printed |
      Then the rule "too late" is kept, enabled, with its date as given
      And the rule "too late" stays silent, with no event and no execution

  Rule: A date in the future does not fire before its time

    Scenario: A date an hour ahead neither fires nor runs anything yet
      Given a rule "much later" that runs "core.echo" once, 1 hour from now, with the parameters:
        | message | this should not be printed yet |
      Then the rule "much later" is kept, enabled, with its date as given
      And the rule "much later" stays silent, with no event and no execution
