@tier1 @webhooks @rules
Feature: One event, many rules
  Every enabled rule on a trigger MUST act on each event of that trigger, independently
  of the others: for one event, exactly one enforcement per rule, each linked to that
  event and processed, and exactly one execution per enforcement, which runs with the
  parameters rendered by its own rule. No rule is skipped, none acts twice.

  A trigger without rules MUST still record its events, and nothing may follow from
  them: no enforcement and no execution for 1.5 seconds after the event is listed
  (support/timeouts.ts, unruledEventQuiet). Measured on the reference stack over 149
  webhook events with rules: the enforcement followed its event within 82 ms and the
  execution within 101 ms, so a rule that acted would show up well inside the window.

  Catalog: T1.5 (the catalog's version: one webhook event, one rule per item), T3.4

  Background:
    Given a pack of my own

  Rule: Each rule on the trigger acts once on the event

    Scenario: One post to a webhook with three rules runs each rule once with its own parameters
      Given a webhook "harvest" with these rules, each running "core.echo" with its message:
        | rule        | message                                                    |
        | pick first  | {{ event.payload.batch }} picks {{ event.payload.items.0 }} |
        | pick second | {{ event.payload.batch }} picks {{ event.payload.items.1 }} |
        | pick third  | {{ event.payload.batch }} picks {{ event.payload.items.2 }} |
      When the webhook "harvest" receives the payload:
        """
        {"batch": "B-7", "items": ["apple", "banana", "cherry"]}
        """
      Then the event led to exactly 3 processed enforcements, one for each rule on "harvest"
      And each rule's enforcement led to exactly one execution of "core.echo"
      And every one of those executions succeeds
      And each rule's execution received and printed its own message:
        | rule        | message          |
        | pick first  | B-7 picks apple  |
        | pick second | B-7 picks banana |
        | pick third  | B-7 picks cherry |

  Rule: A trigger without rules records its events and sets off nothing

    Scenario: A post to a webhook without rules is recorded and enforces nothing
      Given a trigger "lonely feed" with its webhook enabled
      When the webhook "lonely feed" receives the payload:
        """
        {"items": []}
        """
      Then the trigger "lonely feed" recorded exactly that one event
      And nothing is enforced or run for the trigger "lonely feed"
