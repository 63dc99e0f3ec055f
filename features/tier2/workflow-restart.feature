@tier2 @workflows @disruptive @serial @requires-service-control
Feature: Workflows survive an executor restart
  A workflow run MUST survive its executor being stopped and started again between two
  of its tasks: the run completes, every task runs exactly once (none lost, none
  repeated), whether the tasks follow one another or are items of one task. The
  executor is stopped while a task runs; that task ends while the executor is down, so
  its end and the next task's start are waiting for the executor when it comes back.

  Catalog: no catalog id (the catalog's T3.12, worker crash recovery, has no source; this
  is its executor counterpart, docs/workflows.md "Surviving an executor restart").

  Background:
    Given a pack of my own
    And an action "steady step" that runs the shell script:
      """
      echo "step $item"
      sleep 1
      """

  Scenario: A sequential workflow completes with each task run once across an executor restart
    Given a workflow "relay across a restart" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: a
          action: steady step
          next:
            - when: "{{ succeeded() }}"
              do: [b]
        - name: b
          action: steady step
          next:
            - when: "{{ succeeded() }}"
              do: [c]
        - name: c
          action: steady step
      """
    And I run the workflow "relay across a restart"
    When the executor is stopped while the task "a" of the workflow run is running
    And that run of the task ends while the executor is down
    And the executor is started again
    Then the workflow succeeds
    And the tasks of the workflow run ended like this:
      | task | status    |
      | a    | completed |
      | b    | completed |
      | c    | completed |

  Scenario: A with_items workflow completes with each item run once across an executor restart
    Given a workflow "items across a restart" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: each
          action: steady step
          with_items: "{{ parameters.items }}"
          concurrency: 1
          input:
            item: "{{ item }}"
      """
    And I run the workflow "items across a restart" with the parameters:
      """
      {"items": ["one", "two", "three"]}
      """
    When the executor is stopped while the task "each" of the workflow run is running
    And that run of the task ends while the executor is down
    And the executor is started again
    Then the workflow succeeds
    And the task "each" ran once per item, in item order, each with its own item and succeeding:
      | item  |
      | one   |
      | two   |
      | three |
