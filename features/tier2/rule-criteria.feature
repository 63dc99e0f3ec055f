@tier2 @rules @webhooks
Feature: Rule criteria decide which events a rule acts on
  A rule MAY carry `conditions`. Every event of its trigger is recorded whatever they say;
  the rule MUST act only on the events its conditions hold for:
  - a matching event gets exactly one enforcement and exactly one execution of the rule's
    action (which completes);
  - a non-matching event gets nothing: no enforcement (not even a disabled one) and no
    execution. "Nothing" is watched for 1.5 s (support/timeouts.ts, criteriaMissQuiet):
    on the reference stack a matching event's enforcement followed it within 5-214 ms
    (median 20 ms) and its execution within 244 ms (144 matching events over 5 runs of the
    criteria features, beside other features' runs), so 1.5 s is a 6x margin.

  Conditions come in Attune's two forms (contract §10.3, internals §3.1):
  - `{"expression": "<expr>"}`, optionally wrapped in `{{ }}`, in the workflow expression
    language over `event` (its `payload`, `id`, `trigger`, `created`): `==` and `!=`
    compare values exactly (text is case-sensitive), `<` `>` `<=` `>=` compare numbers as
    numbers (9 is below 100, although "9" sorts after "100" as text), `in [list]` tests
    membership of a whole value, `and` `or` `not` combine, dotted paths and `.0` indexes
    reach nested fields. A field that is absent is null;
  - an array of `{field, operator, value}` items, `field` a dotted path inside the payload,
    `operator` one of `equals`, `not_equals` (exact, deep comparison) and `contains` (text
    contains text); every item must hold, and an item whose field is absent never holds.

  A rule whose expression cannot be parsed, or whose array names an operator the target
  does not know, MUST be refused when it is created, with 422 and an error naming the
  expression or the operator, and MUST NOT be stored (refusing early is this project's
  choice, docs/decisions.md; Attune stores it and never matches).

  Catalog: T2.5

  Background:
    Given a pack of my own

  Rule: An expression lets through exactly the events it holds for

    Scenario Outline: <criterion> with <payload>: the event <outcome>
      Given a webhook "alerts" whose rule "filtered" runs "core.echo" with the conditions:
        """
        {"expression": "<criterion>"}
        """
      When the webhook "alerts" receives the payload:
        """
        <payload>
        """
      Then the trigger "alerts" recorded exactly that one event
      And the event <outcome>

      Examples: equality, exact and case-sensitive
        | criterion                                 | payload                  | outcome                                         |
        | event.payload.status == 'critical'        | {"status": "critical"}   | runs the rule's action exactly once             |
        | event.payload.status == 'critical'        | {"status": "info"}       | sets off nothing: no enforcement, no execution  |
        | event.payload.status == 'critical'        | {"status": "Critical"}   | sets off nothing: no enforcement, no execution  |
        | event.payload.status != 'ok'              | {"status": "degraded"}   | runs the rule's action exactly once             |
        | event.payload.status != 'ok'              | {"status": "ok"}         | sets off nothing: no enforcement, no execution  |
        | {{ event.payload.status == 'critical' }}  | {"status": "critical"}   | runs the rule's action exactly once             |

      Examples: numbers compared as numbers
        | criterion                   | payload          | outcome                                        |
        | event.payload.value > 100   | {"value": 150}   | runs the rule's action exactly once            |
        | event.payload.value > 100   | {"value": 50}    | sets off nothing: no enforcement, no execution |
        | event.payload.value > 100   | {"value": 100}   | sets off nothing: no enforcement, no execution |
        | event.payload.value > 100   | {"value": 9}     | sets off nothing: no enforcement, no execution |
        | event.payload.value < 100   | {"value": 20}    | runs the rule's action exactly once            |
        | event.payload.value <= 2.5  | {"value": 2.5}   | runs the rule's action exactly once            |
        | event.payload.value >= 10   | {"value": 9.99}  | sets off nothing: no enforcement, no execution |

      Examples: membership of a list
        | criterion                                            | payload                       | outcome                                        |
        | event.payload.environment in ['prod', 'staging']     | {"environment": "prod"}       | runs the rule's action exactly once            |
        | event.payload.environment in ['prod', 'staging']     | {"environment": "staging"}    | runs the rule's action exactly once            |
        | event.payload.environment in ['prod', 'staging']     | {"environment": "dev"}        | sets off nothing: no enforcement, no execution |
        | event.payload.environment in ['prod', 'staging']     | {"environment": "production"} | sets off nothing: no enforcement, no execution |
        | event.payload.code in [200, 204]                     | {"code": 204}                 | runs the rule's action exactly once            |
        | event.payload.code not in [200, 204]                 | {"code": 200}                 | sets off nothing: no enforcement, no execution |

      Examples: and, or, not
        | criterion                                                                         | payload                                        | outcome                                        |
        | event.payload.severity == 'high' and event.payload.count > 10                     | {"severity": "high", "count": 15}              | runs the rule's action exactly once            |
        | event.payload.severity == 'high' and event.payload.count > 10                     | {"severity": "high", "count": 5}               | sets off nothing: no enforcement, no execution |
        | event.payload.severity == 'high' and event.payload.count > 10                     | {"severity": "low", "count": 15}               | sets off nothing: no enforcement, no execution |
        | (event.payload.level == 'error' and event.payload.priority > 5) or event.payload.env == 'production' | {"level": "info", "priority": 2, "env": "production"} | runs the rule's action exactly once |
        | (event.payload.level == 'error' and event.payload.priority > 5) or event.payload.env == 'production' | {"level": "error", "priority": 8, "env": "staging"}   | runs the rule's action exactly once |
        | (event.payload.level == 'error' and event.payload.priority > 5) or event.payload.env == 'production' | {"level": "error", "priority": 3, "env": "staging"}   | sets off nothing: no enforcement, no execution |
        | not event.payload.muted                                                           | {"muted": false}                               | runs the rule's action exactly once            |
        | not event.payload.muted                                                           | {"muted": true}                                | sets off nothing: no enforcement, no execution |

      Examples: nested fields and array elements
        | criterion                                                                   | payload                                                          | outcome                                        |
        | event.payload.host.tags.0 == 'db' and event.payload.host.metrics.cpu >= 90  | {"host": {"tags": ["db", "eu"], "metrics": {"cpu": 95}}}         | runs the rule's action exactly once            |
        | event.payload.host.tags.0 == 'db' and event.payload.host.metrics.cpu >= 90  | {"host": {"tags": ["db", "eu"], "metrics": {"cpu": 80}}}         | sets off nothing: no enforcement, no execution |
        | event.payload.host.tags.0 == 'db' and event.payload.host.metrics.cpu >= 90  | {"host": {"tags": ["web", "db"], "metrics": {"cpu": 95}}}        | sets off nothing: no enforcement, no execution |
        | event.payload.host.region == null                                           | {"host": {"name": "h1"}}                                         | runs the rule's action exactly once            |

  Rule: An array of field conditions lets through the events for which every item holds

    Scenario Outline: <conditions> with <payload>: the event <outcome>
      Given a webhook "alerts" whose rule "filtered" runs "core.echo" with the conditions:
        """
        <conditions>
        """
      When the webhook "alerts" receives the payload:
        """
        <payload>
        """
      Then the trigger "alerts" recorded exactly that one event
      And the event <outcome>

      Examples:
        | conditions                                                                                                   | payload                                        | outcome                                        |
        | [{"field": "status", "operator": "equals", "value": "critical"}]                                              | {"status": "critical"}                         | runs the rule's action exactly once            |
        | [{"field": "status", "operator": "equals", "value": "critical"}]                                              | {"status": "info"}                             | sets off nothing: no enforcement, no execution |
        | [{"field": "count", "operator": "equals", "value": 3}]                                                        | {"count": "3"}                                 | sets off nothing: no enforcement, no execution |
        | [{"field": "labels", "operator": "equals", "value": {"team": "ops", "tier": [1, 2]}}]                         | {"labels": {"tier": [1, 2], "team": "ops"}}    | runs the rule's action exactly once            |
        | [{"field": "env", "operator": "not_equals", "value": "dev"}]                                                  | {"env": "prod"}                                | runs the rule's action exactly once            |
        | [{"field": "env", "operator": "not_equals", "value": "dev"}]                                                  | {"env": "dev"}                                 | sets off nothing: no enforcement, no execution |
        | [{"field": "env", "operator": "not_equals", "value": "dev"}]                                                  | {"region": "eu"}                               | sets off nothing: no enforcement, no execution |
        | [{"field": "message", "operator": "contains", "value": "disk"}]                                               | {"message": "disk /var is full"}               | runs the rule's action exactly once            |
        | [{"field": "message", "operator": "contains", "value": "disk"}]                                               | {"message": "cpu is hot"}                      | sets off nothing: no enforcement, no execution |
        | [{"field": "host.name", "operator": "equals", "value": "db1"}, {"field": "host.up", "operator": "equals", "value": true}] | {"host": {"name": "db1", "up": true}}  | runs the rule's action exactly once            |
        | [{"field": "host.name", "operator": "equals", "value": "db1"}, {"field": "host.up", "operator": "equals", "value": true}] | {"host": {"name": "db1", "up": false}} | sets off nothing: no enforcement, no execution |
        | [{"field": "items.1.sku", "operator": "equals", "value": "B-2"}]                                              | {"items": [{"sku": "A-1"}, {"sku": "B-2"}]}    | runs the rule's action exactly once            |

  Rule: A condition the target cannot evaluate is refused when the rule is created

    Scenario Outline: A rule whose conditions are <problem> is refused, naming it
      When I try to create a rule "broken" on a webhook "alerts" that runs "core.echo" with the conditions:
        """
        <conditions>
        """
      Then the rule is refused as invalid, naming "<named>"
      And no rule was created in my pack

      Examples:
        | problem                           | conditions                                                           | named                             |
        | an expression cut short           | {"expression": "event.payload.value >"}                              | event.payload.value >             |
        | an unclosed list                  | {"expression": "event.payload.env in ['prod', 'staging'"}            | event.payload.env in ['prod', 'staging' |
        | a template with a dangling `and`  | {"expression": "{{ event.payload.a == 1 and }}"}                     | {{ event.payload.a == 1 and }}    |
        | an operator nobody knows          | [{"field": "level", "operator": "greater_than", "value": 3}]         | greater_than                      |
