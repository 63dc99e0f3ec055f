@tier2 @executions @rules @inquiries
Feature: Following runs, events and questions through the query routes
  A user MUST be able to follow their own automation through the query routes, each
  answering over exactly what the caller may read (here: the scenario's own identity,
  which sees only its own runs):

  - the execution statistics (/api/v1/executions/stats) count the caller's executions by
    outcome: `total`, `completed`, `failed`, `running`, `pending` (requested, scheduling
    or scheduled), `cancelled` (with canceling), `timeout`, `abandoned`;
  - the executions in one status (/api/v1/executions/status/<status>) are listed newest
    first;
  - an enforcement lists the executions it created (/api/v1/enforcements/<id>/executions);
  - an event created through the API by a sensor's token (POST /api/v1/events) MUST fire
    every enabled rule on its trigger, as an event from a running sensor does; one that
    names a rule (`trigger_instance_id` "rule_<id>") fires that rule only; the caller's
    own access token may not create events (403, contract §9);
  - the caller's inquiries are listed (/api/v1/inquiries) and can be narrowed to one
    status (/api/v1/inquiries/status/<status>).

  Runs end within the executionTerminal bound of support/timeouts.ts; the rule that must
  not fire is watched for the quiet window of support/timeouts.ts.

  Catalog: no catalog id (Attune's e2e catalog reads single executions and events only;
  contract coverage of issue 13)

  Background:
    Given a pack of my own
    And an action "fine" that runs the shell script:
      """
      echo fine
      """

  Rule: Statistics and status lists count exactly the caller's runs

    Scenario: Two completed runs and one failed run are counted and listed by status
      Given an action "broken" that runs the shell script:
        """
        exit 3
        """
      When I run "fine" 2 times and "broken" 1 time, each to its end
      Then my execution statistics read exactly:
        | total     | 3 |
        | completed | 2 |
        | failed    | 1 |
        | running   | 0 |
        | pending   | 0 |
        | cancelled | 0 |
        | timeout   | 0 |
        | abandoned | 0 |
      And the executions listed as "completed" are exactly run 2 and run 1 of "fine", in that order
      And the executions listed as "failed" are exactly run 1 of "broken"

  Rule: An event created through the API fires the rules on its trigger

    Scenario: A sensor's event fires both rules on its trigger, and each enforcement lists its one run
      Given a trigger "reading" in my pack
      And these rules in my pack:
        | rule    | trigger | action |
        | log one | reading | fine   |
        | log two | reading | fine   |
      When the sensor "meter" of my pack posts an event for the trigger "reading" with the payload:
        """
        {"value": 7}
        """
      Then the event is created with the payload {"value": 7}
      And each of the rules "log one", "log two" is enforced exactly once for that event
      And each of those enforcements lists exactly one execution of "fine", which completes

    Scenario: An event that names one rule fires that rule only
      Given a trigger "reading" in my pack
      And these rules in my pack:
        | rule    | trigger | action |
        | log one | reading | fine   |
        | log two | reading | fine   |
      When the sensor "meter" of my pack posts an event for the rule "log two" with the payload:
        """
        {"value": 8}
        """
      Then the event is created with the payload {"value": 8}
      And each of the rules "log two" is enforced exactly once for that event
      And each of those enforcements lists exactly one execution of "fine", which completes
      And the rule "log one" stays silent, with no event and no execution

    Scenario: My own access token may not create events
      Given a trigger "reading" in my pack
      When I post an event for the trigger "reading" with my own token
      Then the event post is refused with 403 and a JSON error body

  Rule: The caller's inquiries are listed, all or by status

    Scenario: Two questions, one answered, listed all and by status
      Given a finished run of "fine"
      And I ask 2 questions about that run
      When I answer question 1 with {"ok": true}
      Then my inquiries listed are exactly question 2 and question 1
      And my inquiries listed as "pending" are exactly question 2
      And my inquiries listed as "responded" are exactly question 1
