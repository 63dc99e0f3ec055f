@tier2 @workflows
Feature: Cancelling a running workflow
  Cancelling a running workflow MUST stop it: no further task starts, the runs that have
  not started yet are cancelled at once, and with `cancellation_policy: cancel_running`
  the runs already going are cancelled too. Once none is left running the workflow
  ends "cancelled" with the error "Workflow cancelled", and the tasks that would have
  followed are never created (watched for 1.5 seconds after the end,
  support/timeouts.ts workflowNoFurtherTask).

  Catalog: no catalog id (Attune's e2e suite never cancels a workflow); the behaviour is
  contract §12.3 (cancel) and §13.2 (cancellation_policy), docs/workflows.md "Cancelling".

  Background:
    Given a pack of my own
    And an action "long step" that runs the shell script:
      """
      echo "working on $item"
      sleep 30
      """
    And an action "follow up" that runs the shell script:
      """
      echo "following up"
      """

  Rule: Cancelling stops the run and its children

    Scenario: Cancelling a workflow with one long run going and two waiting cancels all three
      Given a workflow "long haul" with the definition:
        """
        version: "1.0.0"
        cancellation_policy: cancel_running
        tasks:
          - name: grind
            action: long step
            with_items: "{{ parameters.items }}"
            concurrency: 1
            input:
              item: "{{ item }}"
            next:
              - do: [after]
          - name: after
            action: follow up
        """
      And I run the workflow "long haul" with the parameters:
        """
        {"items": ["first", "second", "third"]}
        """
      When I cancel the workflow run once the task "grind" is running
      Then the workflow is cancelled with the error "Workflow cancelled"
      And the tasks of the workflow run ended like this:
        | task  | status    |
        | grind | cancelled |
        | grind | cancelled |
        | grind | cancelled |
      And the task "after" never ran

  Rule: The cancel request reaches the executor as a status change

    @requires-queue
    Scenario: Cancelling a running workflow announces running → canceling on the message queue
      Given I am tapping the message queue
      And a workflow "quick to cancel" with the definition:
        """
        version: "1.0.0"
        cancellation_policy: cancel_running
        tasks:
          - name: grind
            action: long step
            input:
              item: "only"
        """
      And I run the workflow "quick to cancel"
      When I cancel the workflow run once the task "grind" is running
      Then the message queue carried an "ExecutionStatusChanged" message for the workflow run, from "running" to "canceling"
      And the workflow is cancelled with the error "Workflow cancelled"
