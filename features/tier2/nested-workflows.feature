@tier2 @workflows
Feature: Workflows that run other workflows
  A workflow task whose action is itself a workflow MUST run that workflow as a child
  execution of its own run, and the nested workflow's tasks MUST become children of that
  child: every `parent` link points exactly one level up, each level holds exactly the
  executions its definition asks for (no more, no fewer), and every execution of the
  tree completes. Nesting MUST work at any depth: a chain of four levels completes with
  exactly one execution per level. A nested workflow's output MUST reach the workflow
  that called it (`task.<name>.result` of the calling task is the nested run's result).

  The tree is asserted whole: one line per execution, indented per level, naming the
  task, what it ran and how it ended.

  Catalog: T2.1

  Background:
    Given a pack of my own
    And an action "step one" that prints JSON from the shell script:
      """
      echo '{"step": "one"}'
      """
    And an action "step two" that prints JSON from the shell script:
      """
      echo '{"step": "two"}'
      """

  Scenario: A parent runs a child workflow that runs two actions in turn
    Given a workflow "inner" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: first
          action: step one
          next:
            - when: "{{ succeeded() }}"
              do: [second]
        - name: second
          action: step two
      """
    And a workflow "outer" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: call_inner
          action: inner
      """
    When I run the workflow "outer"
    Then the workflow succeeds
    And the workflow run's tree is:
      """
      outer: completed
        call_inner → inner: completed
          first → step one: completed
          second → step two: completed
      """

  Scenario: A chain of four workflow levels completes with one execution per level
    Given a workflow "level three" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: leaf
          action: step one
      """
    And a workflow "level two" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: call_three
          action: level three
      """
    And a workflow "level one" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: call_two
          action: level two
      """
    When I run the workflow "level one"
    Then the workflow succeeds
    And the workflow run's tree is:
      """
      level one: completed
        call_two → level two: completed
          call_three → level three: completed
            leaf → step one: completed
      """

  Scenario: The output of a nested workflow reaches the workflow that called it
    Given a workflow "inner" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: second
          action: step two
      output_map:
        inner_step: "{{ task.second.result.data.step }}"
      """
    And a workflow "outer" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: call_inner
          action: inner
      output_map:
        from_inner: "{{ task.call_inner.result.inner_step }}"
      """
    When I run the workflow "outer"
    Then the workflow succeeds
    And the workflow's output is:
      """
      {"from_inner": "two"}
      """
