@tier2 @inquiries
Feature: A person in the loop of a running workflow
  A workflow that reaches a `core.ask` task MUST stop and wait for a person: the ask
  execution is `running`, the workflow run is `running` and its inquiry is `pending`,
  and the run stays exactly so (no further task starts) until someone answers. Once
  answered the run MUST resume on its own, and the next task MUST receive the answer as
  its input, value for value and with its JSON types (a boolean stays a boolean, an
  object stays an object), so that the action behind it acts on what the person said;
  then the workflow completes. When the person says no, the work guarded by the answer
  MUST never run, and the workflow still completes (a denial is an answer, not a
  failure).

  "Stays exactly so" is watched for 1.5 s (support/timeouts.ts, inquiryGateHeld), "never
  run" for 1.5 s after the run ended (workflowNoFurtherTask).

  While it waits, the workflow's own state (its `workflow_execution` row, read in the
  database) MUST say so: `paused` true with the reason "waiting for inquiry <id>", cleared
  once the answer came (docs/inquiries.md).

  Catalog: README example 5 (human-in-the-loop inquiry: the run waits, an inquiry is
  pending, a response resumes it). The README says the waiting execution is `paused`;
  Attune's executions have no such status: the ask execution is `running` and the
  workflow's own state records the pause.

  Background:
    Given a pack of my own
    And an action "roll out" that runs the shell script:
      """
      echo "rolling out $version: approved=$approved, note=$note"
      """
    And a workflow "guarded rollout" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: ask_operator
          action: core.ask
          input:
            prompt: "Roll out {{ parameters.version }} now?"
            response_schema:
              type: object
              properties:
                approved: {type: boolean}
                note: {type: string}
              required: [approved, note]
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [roll_out]
        - name: roll_out
          action: roll out
          input:
            version: "{{ parameters.version }}"
            approved: "{{ task.ask_operator.result.response.approved }}"
            note: "{{ task.ask_operator.result.response.note }}"
            decision: "{{ task.ask_operator.result.response }}"
      """

  Scenario: The run waits for the operator, resumes on the answer and the next action acts on it
    When I run the workflow "guarded rollout" with the parameters:
      """
      {"version": "5.1.0"}
      """
    Then the inquiry of the task "ask_operator" is pending with the prompt "Roll out 5.1.0 now?"
    And the workflow run keeps waiting on that inquiry
    When I respond to that inquiry with:
      """
      {"approved": true, "note": "after the freeze"}
      """
    Then the workflow succeeds
    And the task "roll_out" received the input:
      """
      {
        "version": "5.1.0",
        "approved": true,
        "note": "after the freeze",
        "decision": {"approved": true, "note": "after the freeze"}
      }
      """
    And the task "roll_out" printed exactly:
      """
      rolling out 5.1.0: approved=true, note=after the freeze
      """

  Scenario: The operator says no: nothing is rolled out and the workflow still completes
    When I run the workflow "guarded rollout" with the parameters:
      """
      {"version": "5.2.0"}
      """
    And I respond to the inquiry of the task "ask_operator" with:
      """
      {"approved": false, "note": "wait for the audit"}
      """
    Then the workflow succeeds
    And the tasks of the workflow run ended like this:
      | task         | status    |
      | ask_operator | completed |
    And the task "roll_out" never ran

  @requires-database
  Scenario: While it waits, the workflow's own state records the pause, and the answer clears it
    When I run the workflow "guarded rollout" with the parameters:
      """
      {"version": "5.3.0"}
      """
    Then the inquiry of the task "ask_operator" is pending with the prompt "Roll out 5.3.0 now?"
    And the workflow's own state says it is paused, waiting for that inquiry
    When I respond to that inquiry with:
      """
      {"approved": true, "note": "go"}
      """
    Then the workflow succeeds
    And the workflow's own state is no longer paused
