@tier2 @inquiries
Feature: Approvals that nobody answers in time
  An inquiry asked with `timeout_seconds: N` MUST carry `timeout_at` = its creation + N
  seconds and, when nobody answers by then, MUST become `timeout` with no response. The
  `core.ask` execution waiting on it MUST end `timeout` with the result
  `{"succeeded": false, "timed_out": true, "error": "Inquiry <id> timed out"}`, so that the
  task's `timed_out()` transition runs (exactly one run of the timeout branch), the branch
  guarded by an approval never runs, and the workflow completes, the timeout being
  handled. An answer that comes after the timeout MUST be refused with 400 ("Inquiry
  <id> is not pending (status timeout)") and MUST change nothing; so MUST an answer that
  comes past `timeout_at` before the platform noticed the deadline (an inquiry asked
  directly with a deadline in the past): it is refused ("Inquiry <id> timed out at
  <timeout_at>") and the inquiry becomes `timeout` on the spot. An answer that comes
  before the deadline MUST win for good: the inquiry stays `responded` past its
  deadline, the guarded branch runs and the timeout branch never does.

  "By then" is measured on the server's own stamps: the inquiry's `updated` when it turned
  `timeout` MUST lie between its `timeout_at` and 1 s after it (support/timeouts.ts,
  inquiryTimeoutLag), and `timeout_at` MUST be `created` + N seconds within 250 ms
  (inquiryDeadlineTolerance). Measured on the reference stack (10 runs of this feature and
  of the multi-step approvals, 27 inquiries of 2 s): flipped 5-89 ms after `timeout_at`
  (median 9 ms), never before it, and `timeout_at` was `created` + 2000 ms exactly, so the
  bound is an 11x margin over the worst lag. "Past its deadline" means until 1 s after
  `timeout_at`.

  Catalog: T2.7

  Background:
    Given a pack of my own
    And an action "note" that runs the shell script:
      """
      echo "outcome: $outcome"
      """
    And a workflow "patient release" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: approval
          action: core.ask
          input:
            prompt: "Approve hotfix {{ parameters.fix }}?"
            response_schema:
              type: object
              properties:
                approved: {type: boolean}
              required: [approved]
            timeout_seconds: "{{ parameters.patience }}"
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [guarded]
            - when: "{{ timed_out() }}"
              do: [timeout_handler]
        - name: guarded
          action: note
          input:
            outcome: approved
        - name: timeout_handler
          action: note
          input:
            outcome: timed out
      """

  Rule: Nobody answers: the inquiry times out and the timeout branch runs

    Scenario: An approval nobody answers within 2 seconds times out and hands over to its timeout branch
      When I run the workflow "patient release" with the parameters:
        """
        {"fix": "HF-101", "patience": 2}
        """
      Then the inquiry of the task "approval" times out
      And the task "approval" timed out waiting for its inquiry
      And the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task            | status    |
        | approval        | timeout   |
        | timeout_handler | completed |
      And the task "guarded" never ran

    Scenario: An answer after the timeout is refused and changes nothing
      When I run the workflow "patient release" with the parameters:
        """
        {"fix": "HF-102", "patience": 2}
        """
      Then the inquiry of the task "approval" times out
      And responding to that inquiry with '{"approved": true}' is refused with 400 and the error "Inquiry {id} is not pending (status timeout)"
      And the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task            | status    |
        | approval        | timeout   |
        | timeout_handler | completed |
      And the task "guarded" never ran

    Scenario: An answer to an inquiry whose deadline passed unnoticed is refused, and the inquiry times out on the spot
      Given a run of "note" that has succeeded
      When an operator asks me about that execution, with the prompt "Still worth doing?" and a deadline that passed 1 minute ago
      Then responding to that inquiry with '{"approved": true}' is refused with 400 as too late, and it has timed out without a response

  Rule: An answer before the deadline wins for good

    Scenario: An approval answered before its 3 second deadline runs the guarded branch and never times out
      When I run the workflow "patient release" with the parameters:
        """
        {"fix": "HF-103", "patience": 3}
        """
      And I respond to the inquiry of the task "approval" with:
        """
        {"approved": true}
        """
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task     | status    |
        | approval | completed |
        | guarded  | completed |
      And that inquiry stays responded past its deadline, and the task "timeout_handler" never runs
