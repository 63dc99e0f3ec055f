@tier1 @workflows
Feature: Workflow task over a list of items
  A workflow task with `with_items` MUST run its action exactly once per item of the
  list it renders, each run receiving its own item as input and carrying its place in
  the list (`task_index` 0, 1, 2 …). The task's `results` MUST list every item's result
  in item order, so an output_map entry such as `results: "{{ task.process.results }}"`
  hands all of them to the workflow's output. An item keeps its JSON type on the way
  into the run's input (a number stays a number, an object stays an object). An empty
  list MUST start no run at all, and the workflow still completes.

  Catalog: T1.5 (the catalog's version only imitates with_items with one rule per item;
  here the engine's own with_items is asserted, as T2.10 does for concurrency).

  Background:
    Given a pack of my own
    And an action "measure fruit" that prints JSON from the shell script:
      """
      printf '{"fruit": "%s", "letters": %s}\n' "$item" "${#item}"
      """
    And a workflow "fruit basket" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: process
          action: measure fruit
          with_items: "{{ parameters.fruits }}"
          input:
            item: "{{ item }}"
      output_map:
        results: "{{ task.process.results }}"
      """

  Scenario: Three fruits make exactly three runs, each with its own fruit, and the output lists them in order
    When I run the workflow "fruit basket" with the parameters:
      """
      {"fruits": ["apple", "banana", "cherry"]}
      """
    Then the workflow succeeds
    And the task "process" ran once per item, in item order, each with its own item and succeeding:
      | item   |
      | apple  |
      | banana |
      | cherry |
    And the workflow's output "results" lists one result per item, in item order, whose data are:
      """
      [
        {"fruit": "apple", "letters": 5},
        {"fruit": "banana", "letters": 6},
        {"fruit": "cherry", "letters": 6}
      ]
      """

  Scenario: An empty list starts no run and the workflow completes
    When I run the workflow "fruit basket" with the parameters:
      """
      {"fruits": []}
      """
    Then the workflow succeeds
    And the workflow run has no child executions
    And the workflow's output is:
      """
      {"results": []}
      """

  Scenario: Items of different JSON types reach their runs with their types kept
    Given an action "note item" that runs the shell script:
      """
      echo "noted"
      """
    And a workflow "mixed bag" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: process
          action: note item
          with_items: "{{ parameters.things }}"
          input:
            item: "{{ item }}"
      """
    When I run the workflow "mixed bag" with the parameters:
      """
      {"things": ["string_item", 123, true, {"key": "value"}]}
      """
    Then the workflow succeeds
    And the task "process" ran once per item, in item order, each with its own item and succeeding:
      | item             |
      | string_item      |
      | 123              |
      | true             |
      | {"key": "value"} |
