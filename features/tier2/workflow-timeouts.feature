@tier2 @workflows @failures
Feature: Timeouts of workflow tasks and executions
  A workflow task with `timeout: N` MUST be stopped after N seconds: its execution ends
  with status "timeout" (not "failed"), `workflow_task.timed_out` true and the error
  "Execution timed out after N seconds", and a workflow that does not handle it ends
  "failed" soon after. A task that simply fails MUST never be reported as a timeout. A
  `timed_out()` transition MUST handle a timeout the way `failed()` handles a failure.
  An execution started by hand with `timeout_seconds` MUST end "timeout" the same way; for
  a workflow that limit bounds the whole run: past it the workflow MUST end "timeout" and a
  task still running MUST be cancelled.

  "Soon after": the run ends within N seconds plus 2 s of its creation
  (support/timeouts.ts, workflowTaskTimeoutMargin). Measured on the reference stack (10
  runs of this feature): a run with `timeout: 2` around `sleep 20` ended 2040-2164 ms
  after its creation, at most 164 ms past the timeout.

  Catalog: T2.9

  Background:
    Given a pack of my own
    And an action "slow step" that runs the shell script:
      """
      echo "starting a long job"
      sleep 20
      echo "long job done"
      """

  Rule: A task that outlives its timeout times out, and the workflow fails

    Scenario: A task with a 2 second timeout around a 20 second sleep times out and fails the workflow
      Given a workflow "impatient" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: long_job
            action: slow step
            timeout: 2
        """
      When I run the workflow "impatient"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: long_job"
      And the task "long_job" timed out after 2 seconds
      And the workflow run ended no later than 2 seconds plus the timeout margin after it was created

    Scenario: An ordinary failure is never reported as a timeout
      Given an action "breaks" that runs the shell script:
        """
        echo "no luck" >&2
        exit 1
        """
      And a workflow "plain failure" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: fragile
            action: breaks
            timeout: 10
        """
      When I run the workflow "plain failure"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: fragile"
      And the task "fragile" failed without being reported as a timeout

  Rule: A timed_out() transition handles a timeout

    Scenario: A task that times out hands over to its timed_out() task and the workflow completes
      Given an action "tidy up" that runs the shell script:
        """
        echo "tidied"
        """
      And a workflow "with a plan b" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: long_job
            action: slow step
            timeout: 2
            next:
              - when: "{{ timed_out() }}"
                do: [plan_b]
              - when: "{{ failed() }}"
                do: [on_failure]
          - name: plan_b
            action: tidy up
          - name: on_failure
            action: tidy up
        """
      When I run the workflow "with a plan b"
      Then the workflow succeeds
      And the task "long_job" timed out after 2 seconds
      And the tasks of the workflow run ended like this:
        | task     | status    |
        | long_job | timeout   |
        | plan_b   | completed |

  Rule: A manual execution with a time limit times out too

    Scenario: A plain action started by hand with a 2 second limit ends timed out
      When I run "slow step" with a time limit of 2 seconds
      Then the execution times out after 2 seconds

    Scenario: A workflow started by hand with a 3 second limit times out and its running task is cancelled
      Given a workflow "bounded" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: long_job
            action: slow step
            next:
              - do: [never_reached]
          - name: never_reached
            action: slow step
        """
      When I run the workflow "bounded" with a time limit of 3 seconds
      Then the workflow times out with the error "Workflow timed out after 3 seconds"
      And the tasks of the workflow run ended like this:
        | task     | status    |
        | long_job | cancelled |
      And the task "never_reached" never ran
