@tier3 @rules @webhooks
Feature: Rules with opposite criteria split the events of one webhook
  Two rules on the same webhook whose conditions are opposites MUST divide its events
  between them: each event MUST run exactly the rule whose conditions hold for it, once,
  and never the other. Over a series of posts each rule MUST run exactly as many times
  as there are events it matches, no more: after the last run the counts stay as they are
  for 1.5 s (criteriaMissQuiet, support/timeouts.ts; a rule's enforcement followed its
  event within 5-214 ms on the reference stack, its execution within 244 ms). An event for which neither rule's
  conditions hold (a field-condition item whose field is absent never holds) runs
  neither rule.

  Each rule runs `core.echo` with its own message rendered from the event, so every run
  shows which rule caused it and for which event.

  Catalog: T3.5

  Background:
    Given a pack of my own

  Scenario: Errors run one rule and every other level runs the other
    Given a webhook "logs" with these rules, each running "core.echo" with its message when its conditions hold:
      | rule     | conditions                                       | message                                        |
      | errors   | {"expression": "event.payload.level == 'error'"} | error: {{ event.payload.text }}                |
      | the rest | {"expression": "event.payload.level != 'error'"} | {{ event.payload.level }}: {{ event.payload.text }} |
    When the webhook "logs" receives these payloads, one post after another:
      | payload                                       |
      | {"level": "info", "text": "started"}          |
      | {"level": "error", "text": "disk full"}       |
      | {"level": "debug", "text": "tick"}            |
      | {"level": "error", "text": "disk still full"} |
      | {"level": "warning", "text": "slow"}          |
    Then each of those events ran only the rule it matches, which printed its message:
      | rule     | printed                |
      | the rest | info: started          |
      | errors   | error: disk full       |
      | the rest | debug: tick            |
      | errors   | error: disk still full |
      | the rest | warning: slow          |
    And the rules ran exactly this often, and no more:
      | rule     | runs |
      | errors   | 2    |
      | the rest | 3    |

  Scenario: A numeric threshold splits events into urgent and routine, numbers compared as numbers
    Given a webhook "tickets" with these rules, each running "core.echo" with its message when its conditions hold:
      | rule    | conditions                                    | message                                   |
      | urgent  | {"expression": "event.payload.priority >= 7"} | urgent #{{ event.payload.id }}            |
      | routine | {"expression": "event.payload.priority < 7"}  | routine #{{ event.payload.id }}           |
    When the webhook "tickets" receives these payloads, one post after another:
      | payload                        |
      | {"id": 1, "priority": 2}       |
      | {"id": 2, "priority": 9}       |
      | {"id": 3, "priority": 7}       |
      | {"id": 4, "priority": 6.5}     |
      | {"id": 5, "priority": 10}      |
      | {"id": 6, "priority": 0}       |
    Then each of those events ran only the rule it matches, which printed its message:
      | rule    | printed    |
      | routine | routine #1 |
      | urgent  | urgent #2  |
      | urgent  | urgent #3  |
      | routine | routine #4 |
      | urgent  | urgent #5  |
      | routine | routine #6 |
    And the rules ran exactly this often, and no more:
      | rule    | runs |
      | urgent  | 3    |
      | routine | 3    |

  Scenario: Field conditions split events by team, and an event without the field runs neither rule
    Given a webhook "requests" with these rules, each running "core.echo" with its message when its conditions hold:
      | rule   | conditions                                                    | message                        |
      | ops    | [{"field": "team", "operator": "equals", "value": "ops"}]     | ops: {{ event.payload.ask }}   |
      | others | [{"field": "team", "operator": "not_equals", "value": "ops"}] | {{ event.payload.team }}: {{ event.payload.ask }} |
    When the webhook "requests" receives these payloads, one post after another:
      | payload                                   |
      | {"team": "ops", "ask": "reboot db1"}      |
      | {"team": "dev", "ask": "new branch"}      |
      | {"ask": "who am I"}                       |
      | {"team": "Ops", "ask": "case matters"}    |
      | {"team": "ops", "ask": "rotate logs"}     |
    Then each of those events ran only the rule it matches, which printed its message:
      | rule   | printed           |
      | ops    | ops: reboot db1   |
      | others | dev: new branch   |
      | none   |                   |
      | others | Ops: case matters |
      | ops    | ops: rotate logs  |
    And the rules ran exactly this often, and no more:
      | rule   | runs |
      | ops    | 2    |
      | others | 2    |
