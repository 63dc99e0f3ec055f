@tier3 @inquiries @notifications @requires-notifier
Feature: Live notifications about inquiries
  A tenant watching the notifier (subscribed to `entity_type:inquiry`) MUST be told about
  each inquiry it may read as it happens: `inquiry_created` when it is asked, then
  `inquiry_responded` when it is answered, or `inquiry_timeout` when its deadline
  passed; each frame carries the inquiry's id (`entity_id`), the execution that asked it
  (`payload.execution`) and the inquiry's status at that moment (`payload.status`:
  pending, responded, timeout), and the frames come in exactly that order, one of each.

  Another tenant watching EVERYTHING (`all`) MUST receive none of those frames, nor any
  frame about my runs: it hears only about its own things. Its own inquiry (asked by an
  operator about a run of theirs) reaching it proves its connection works; it then stays
  silent about mine for 1 s (support/timeouts.ts, foreignNotificationQuiet: the notifier
  writes a frame to every entitled connection in the same pass, so a leaked one arrives
  within milliseconds of mine on the same host).

  Catalog: T3.15

  Background:
    Given a pack of my own
    And an action "note" that runs the shell script:
      """
      echo "$outcome"
      """
    And a workflow "watched gate" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: approval
          action: core.ask
          input:
            prompt: "Open the gate for {{ parameters.visitor }}?"
            response_schema:
              type: object
              properties:
                approved: {type: boolean}
              required: [approved]
            timeout_seconds: "{{ parameters.patience }}"
          next:
            - when: "{{ succeeded() }}"
              do: [after]
            - when: "{{ timed_out() }}"
              do: [after]
        - name: after
          action: note
          input:
            outcome: done
      """
    And another tenant "B" with the same persona
    And tenant "B" is watching all notifications
    And I am watching inquiry notifications

  Scenario: I am told that my inquiry was asked, then that it was answered, and the other tenant hears nothing
    When I run the workflow "watched gate" with the parameters:
      """
      {"visitor": "ada", "patience": 60}
      """
    And I respond to the inquiry of the task "approval" with:
      """
      {"approved": true}
      """
    And an operator asks tenant "B" about a run of their own
    Then I am notified about that inquiry, in this order:
      | notification      | status    |
      | inquiry_created   | pending   |
      | inquiry_responded | responded |
    And the workflow succeeds
    And tenant "B" is notified that their own inquiry was created
    And tenant "B" hears nothing about my inquiries or my runs

  Scenario: I am told that my inquiry was asked, then that it timed out, and the other tenant hears nothing
    When I run the workflow "watched gate" with the parameters:
      """
      {"visitor": "grace", "patience": 2}
      """
    And the inquiry of the task "approval" times out
    And an operator asks tenant "B" about a run of their own
    Then I am notified about that inquiry, in this order:
      | notification    | status  |
      | inquiry_created | pending |
      | inquiry_timeout | timeout |
    And the workflow succeeds
    And tenant "B" is notified that their own inquiry was created
    And tenant "B" hears nothing about my inquiries or my runs
