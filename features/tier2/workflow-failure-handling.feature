@tier2 @workflows @failures
Feature: Workflow failure handling
  A task that fails MUST stop the path that depends on its success: its `succeeded()`
  transitions do not fire, so the tasks behind them are never created, and a workflow
  with a failed task that no transition handled MUST end "failed" with the error
  "Workflow failed: <n> task(s) failed: <names>". A `failed()` transition MUST handle the
  failure: the recovery task runs and the workflow completes, however often that happens
  along the way. Tasks without transitions between them MUST run independently: one of
  them failing does not stop the others, but does fail the workflow.

  "Never created" is watched for 1.5 seconds after the workflow ended
  (support/timeouts.ts, workflowNoFurtherTask): the engine creates a successor before
  the run can end, so a task that shows up later would be a wrongly fired transition
  re-delivered, which arrives within a second.

  Catalog: T2.2

  Background:
    Given a pack of my own
    And an action "works" that runs the shell script:
      """
      echo "step done"
      """
    And an action "breaks" that runs the shell script:
      """
      echo "step broke" >&2
      exit 1
      """

  Rule: A failure stops the tasks that need its success

    Scenario: A failed middle task stops the chain and fails the workflow
      Given a workflow "chain" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: a
            action: works
            next:
              - when: "{{ succeeded() }}"
                do: [b]
          - name: b
            action: breaks
            next:
              - when: "{{ succeeded() }}"
                do: [c]
          - name: c
            action: works
        """
      When I run the workflow "chain"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: b"
      And the tasks of the workflow run ended like this:
        | task | status    |
        | a    | completed |
        | b    | failed    |
      And the task "c" never ran

  Rule: A failed() transition handles the failure and the workflow completes

    Scenario: A recovery task after a failure lets the workflow complete
      Given a workflow "recovering chain" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: a
            action: works
            next:
              - when: "{{ succeeded() }}"
                do: [b]
          - name: b
            action: breaks
            next:
              - when: "{{ failed() }}"
                do: [recovery]
          - name: recovery
            action: works
        """
      When I run the workflow "recovering chain"
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task     | status    |
        | a        | completed |
        | b        | failed    |
        | recovery | completed |

    Scenario: Two failures, each handled, leave three successes and a completed workflow
      Given a workflow "bumpy road" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: success_1
            action: works
            next:
              - when: "{{ succeeded() }}"
                do: [failure_1]
          - name: failure_1
            action: breaks
            next:
              - when: "{{ failed() }}"
                do: [success_2]
          - name: success_2
            action: works
            next:
              - when: "{{ succeeded() }}"
                do: [failure_2]
          - name: failure_2
            action: breaks
            next:
              - when: "{{ failed() }}"
                do: [success_3]
          - name: success_3
            action: works
        """
      When I run the workflow "bumpy road"
      Then the workflow succeeds
      And the workflow run has exactly 5 child executions
      And the tasks of the workflow run ended like this:
        | task      | status    |
        | success_1 | completed |
        | failure_1 | failed    |
        | success_2 | completed |
        | failure_2 | failed    |
        | success_3 | completed |

  Rule: Independent tasks fail independently

    Scenario: One of three parallel tasks fails: the others complete and the workflow fails naming it
      Given a workflow "three at once" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: success_1
            action: works
          - name: failure
            action: breaks
          - name: success_2
            action: works
        """
      When I run the workflow "three at once"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: failure"
      And the workflow run has exactly 3 child executions
      And the tasks of the workflow run ended like this:
        | task      | status    |
        | success_1 | completed |
        | failure   | failed    |
        | success_2 | completed |
