@tier3 @executions @failures
Feature: Action parameters checked against the action's schema
  An action declares its parameters: a type for each, some required, some with a default,
  some limited to an enum. A run requested by hand is ACCEPTED by the API whatever its
  parameters (201, the execution `requested` with exactly the parameters sent): the API does
  not judge them, the executor does, before the run may take a worker.

  A run whose parameters break the schema (a required parameter missing or null, a value of
  the wrong type, a value outside its enum) MUST end `failed`, with `result.succeeded` false
  and a `result.error` that names the offending parameter and says what is wrong with it;
  the action itself MUST NOT run (it prints its input, so it printed nothing).

  A run that keeps to the schema MUST complete, and the action MUST receive exactly: the
  parameters sent, extra parameters the schema does not declare passed through untouched,
  and the declared default of every parameter that was left out or sent as null. The
  execution's parameters (`config`) MUST read back as exactly what the action received.
  (Attune's scheduler fills the defaults in before dispatch; docs/decisions.md.)

  Catalog: T3.13

  Background:
    Given a pack of my own
    And an action "fetch" that prints the parameters it receives, declaring:
      | parameter | type    | required | default | enum      |
      | url       | string  | yes      |         |           |
      | timeout   | integer | no       | 30      |           |
      | method    | string  | no       | GET     | GET, POST |
      | verbose   | boolean | no       | false   |           |

  Rule: A run whose parameters break the schema is accepted, then fails naming the parameter

    Scenario Outline: <case>: accepted, then failed naming "<parameter>"
      When I run "fetch" with the JSON parameters '<parameters>'
      Then the request is accepted, the execution requested with exactly those parameters
      And the execution fails without running the action, its error naming the parameter "<parameter>" as "<problem>"

      Examples:
        | case                            | parameters                                                | parameter | problem  |
        | a required parameter is missing | {"timeout": 60}                                           | url       | required |
        | a required parameter is null    | {"url": null, "timeout": 60}                              | url       | required |
        | an integer sent as text         | {"url": "https://example.test/a", "timeout": "60"}        | timeout   | integer  |
        | a boolean sent as text          | {"url": "https://example.test/a", "verbose": "yes"}       | verbose   | boolean  |
        | a string sent as a number       | {"url": 8080}                                             | url       | string   |
        | a value outside its enum        | {"url": "https://example.test/a", "method": "FETCH"}      | method    | FETCH    |

  Rule: A run that keeps to the schema gets what it sent, extras kept, defaults filled in

    Scenario: Every parameter sent with its declared type: the action gets exactly them
      When I run "fetch" with the JSON parameters '{"url": "https://example.test/b", "timeout": 60, "method": "POST", "verbose": true}'
      Then the request is accepted, the execution requested with exactly those parameters
      And the execution completes, the action having received exactly:
        """
        {"url": "https://example.test/b", "timeout": 60, "method": "POST", "verbose": true}
        """

    Scenario: Parameters the schema does not declare are passed through untouched
      When I run "fetch" with the JSON parameters '{"url": "https://example.test/c", "timeout": 5, "method": "GET", "verbose": false, "extra_param_1": "one", "debug": {"level": 2}}'
      Then the request is accepted, the execution requested with exactly those parameters
      And the execution completes, the action having received exactly:
        """
        {"url": "https://example.test/c", "timeout": 5, "method": "GET", "verbose": false, "extra_param_1": "one", "debug": {"level": 2}}
        """

    Scenario Outline: Defaults fill in what <left out>
      When I run "fetch" with the JSON parameters '<parameters>'
      Then the request is accepted, the execution requested with exactly those parameters
      And the execution completes, the action having received exactly:
        """
        <received>
        """

      Examples:
        | left out                       | parameters                                                 | received                                                                              |
        | was left out                   | {"url": "https://example.test/d"}                          | {"url": "https://example.test/d", "timeout": 30, "method": "GET", "verbose": false}   |
        | was sent as null               | {"url": "https://example.test/e", "timeout": null}         | {"url": "https://example.test/e", "timeout": 30, "method": "GET", "verbose": false}   |
        | the request left out, only     | {"url": "https://example.test/f", "method": "POST"}        | {"url": "https://example.test/f", "timeout": 30, "method": "POST", "verbose": false}  |
