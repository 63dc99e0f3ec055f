@tier2 @workflows @failures
Feature: Retrying a failed workflow task
  A task with `retry: {count: N, …}` MUST get a new attempt after each failed one while
  attempts are left, and stop at the first success: at most N + 1 attempts in all. Each
  attempt is a child execution of the run for the same task and action, with
  `workflow_task.retry_count` 0, 1, 2 … and `max_retries` N, and every attempt after the
  first names the first one as its `original_execution`. When every attempt failed the
  task fails with the last attempt's error, and so does the workflow. A task that
  succeeds at once is attempted once, without `original_execution`.

  The pause before attempt k + 1 (from attempt k's end, `updated`, to the new attempt's
  `created`) MUST follow the declared backoff: `delay` for constant, `delay · 2^(k−1)`
  for exponential, capped by `max_delay`. Each pause must lie within 250 ms of the
  declared one (support/timeouts.ts, retryGapTolerance). Measured on the reference stack
  (10 runs of this feature): constant 1 s pauses 1000-1011 ms; exponential pauses
  1000-1018, 2001-2005 and 4001-4004 ms, so at most 18 ms off, while a wrong backoff is
  a whole second or more off.

  Catalog: T2.8; README example 6 (an always-failing action retried twice: three
  attempts, all failed, the error captured, the workflow failed).

  Background:
    Given a pack of my own

  Rule: Retries stop at the first success and keep their lineage

    Scenario: A task that succeeds on its third attempt completes the workflow after two retries
      Given an action "flaky step" that first succeeds on attempt 3
      And a workflow "patient" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: flaky_task
            action: flaky step
            retry:
              count: 2
              delay: 1
              backoff: constant
        """
      When I run the workflow "patient"
      Then the workflow succeeds
      And the attempts of the task "flaky_task" were:
        | status    | retry count | max retries | original execution |
        | failed    | 0           | 2           | none               |
        | failed    | 1           | 2           | attempt 1          |
        | completed | 2           | 2           | attempt 1          |
      And the pauses between the attempts of the task "flaky_task" were "1, 1" seconds

    Scenario: A task that succeeds at once is attempted once
      Given an action "flaky step" that first succeeds on attempt 1
      And a workflow "patient" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: flaky_task
            action: flaky step
            retry:
              count: 3
              delay: 1
              backoff: exponential
        """
      When I run the workflow "patient"
      Then the workflow succeeds
      And the attempts of the task "flaky_task" were:
        | status    | retry count | max retries | original execution |
        | completed | 0           | 3           | none               |

  Rule: Exhausted retries fail the task and the workflow with the last error

    Scenario: An always-failing action retried twice fails three times and fails the workflow
      Given an action "unreliable upstream" that runs the shell script:
        """
        echo "transient connection failure" >&2
        exit 1
        """
      And a workflow "doomed" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: call_upstream
            action: unreliable upstream
            retry:
              count: 2
              delay: 1
              backoff: constant
        """
      When I run the workflow "doomed"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: call_upstream"
      And the attempts of the task "call_upstream" were:
        | status | retry count | max retries | original execution |
        | failed | 0           | 2           | none               |
        | failed | 1           | 2           | attempt 1          |
        | failed | 2           | 2           | attempt 1          |
      And the last attempt of the task "call_upstream" failed with an error containing "transient connection failure"

  Rule: Exponential backoff doubles the pause between attempts

    Scenario: Pauses of 1, 2 and 4 seconds before a success on the fourth attempt
      Given an action "flaky step" that first succeeds on attempt 4
      And a workflow "backing off" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: flaky_task
            action: flaky step
            retry:
              count: 3
              delay: 1
              backoff: exponential
              max_delay: 10
        """
      When I run the workflow "backing off"
      Then the workflow succeeds
      And the attempts of the task "flaky_task" were:
        | status    | retry count | max retries | original execution |
        | failed    | 0           | 3           | none               |
        | failed    | 1           | 3           | attempt 1          |
        | failed    | 2           | 3           | attempt 1          |
        | completed | 3           | 3           | attempt 1          |
      And the pauses between the attempts of the task "flaky_task" were "1, 2, 4" seconds
