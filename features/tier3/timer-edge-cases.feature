@tier3 @timers @rules
Feature: Timer edge cases: dates already past, stopping and resuming, timers side by side
  A date timer whose date has already passed, be it by two seconds, an hour or a year, MUST
  be accepted by the API (the rule is stored, enabled, with its date as given) and MUST never
  fire: no event and no execution while it is watched for 1.5 s (the sensor learns a new rule
  within 30 ms; a timer that honoured a past date would fire as soon as it learned it).
  Attune's sensor ignores past dates and its API does not validate them (docs/decisions.md,
  Timers).

  A timer stops at once when its rule is disabled or deleted: no event stamped later than
  200 ms after the stop (a fire already on its way), and no execution beyond the one of each
  earlier event, for 7 s (support/timeouts.ts, timerStoppedQuiet: longer than a sensor's
  periodic resync of its rules plus one period). Re-enabling the rule resumes its timer: the
  first new fire comes one period after the enable (± 250 ms, the interval-timer tolerance),
  then one per period, and each runs the action once, to completion.

  Interval timers of 1, 2 and 3 seconds created side by side MUST each keep their own rate:
  counted from each rule's own creation over 12.5 s (support/timeouts.ts, timerRateWindow,
  half a second away from every due fire), they fire 12, 6 and 4 times, give or take one, and
  every one of those fires runs the action exactly once.

  Catalog: T3.1, T3.2, T3.3

  Background:
    Given a pack of my own

  Rule: A date timer whose date has passed is kept as given and never fires

    Scenario Outline: A date <ago> ago is accepted and never fires
      Given a rule "late alarm" that runs "core.echo" once, <ago> ago, with the parameters:
        | message | this should never be printed |
      Then the rule "late alarm" is kept, enabled, with its date as given
      And the rule "late alarm" stays silent, with no event and no execution

      Examples:
        | ago       |
        | 2 seconds |
        | 1 hour    |
        | 365 days  |

  Rule: Disabling or deleting a rule stops its timer at once; enabling it again resumes it

    Scenario: Disabling the rule stops new runs at once
      Given a rule "ticker" that runs "core.echo" every 1 second with the parameters:
        | message | tick {{ event.payload.execution_count }} |
      And the rule "ticker" has fired 2 times
      When the rule "ticker" is disabled
      Then the rule "ticker" starts nothing new once stopped, beyond the fire already on its way

    Scenario: Enabling the rule again resumes its timer at its own rate
      Given a rule "ticker" that runs "core.echo" every 1 second with the parameters:
        | message | tick {{ event.payload.execution_count }} |
      And the rule "ticker" has fired 1 time
      And the rule "ticker" is disabled
      And the rule "ticker" fires no more events
      When the rule "ticker" is enabled
      Then the rule "ticker" fires 3 times after being enabled, the first one 1 second after it
      And those events are 1 second apart
      And each of those events ran "core.echo" exactly once, to completion, with the parameters rendered from that event

    Scenario: Deleting the rule stops its timer for good
      Given a rule "ticker" that runs "core.echo" every 1 second with the parameters:
        | message | tick {{ event.payload.execution_count }} |
      And the rule "ticker" has fired 2 times
      When the rule "ticker" is deleted
      Then there is no rule "ticker"
      And the rule "ticker" starts nothing new once stopped, beyond the fire already on its way

  Rule: Interval timers side by side each keep their own rate

    Scenario: Timers of 1, 2 and 3 seconds fire at their own rates over the same window
      Given these interval timer rules, created at once, each running "core.echo":
        | rule   | every (seconds) |
        | fast   | 1               |
        | medium | 2               |
        | slow   | 3               |
      Then counted over the rate window from each rule's creation, they fired and ran their action, give or take one:
        | rule   | fires |
        | fast   | 12    |
        | medium | 6     |
        | slow   | 4     |
