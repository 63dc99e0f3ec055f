@tier3 @workflows @webhooks @rules
Feature: Complex workflow orchestration started by events
  A workflow behind a webhook rule MUST run once per event, with parameters rendered from
  the event, like any action. Inside it: tasks without transitions between them MUST
  all run; a transition's `when` condition MUST decide which branch runs (exactly the
  branch whose condition holds, the other one never); a nested workflow that recovers
  from its own failure with a `failed()` transition MUST complete, and so MUST the
  workflow that called it; and values published by one task MUST flow into the next,
  so a two-step transformation delivers exactly the transformed text.

  Catalog: T3.7

  Background:
    Given a pack of my own
    And an action "echo text" that prints JSON from the shell script:
      """
      printf '{"text": "%s"}\n' "$text"
      """

  Rule: Independent tasks of an event-driven workflow all run

    Scenario: A webhook runs a workflow whose three parallel tasks all complete
      Given a workflow "fan out" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: task_1
            action: echo text
            input:
              text: "Task 1 executing"
          - name: task_2
            action: echo text
            input:
              text: "Task 2 executing"
          - name: task_3
            action: echo text
            input:
              text: "Task 3 executing"
        """
      And a webhook "kick off" whose rule "on kick off" runs "fan out"
      When the webhook "kick off" receives the payload:
        """
        {"test": "parallel"}
        """
      Then the rule "on kick off" started exactly one run of the workflow "fan out"
      And the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task   | status    |
        | task_1 | completed |
        | task_2 | completed |
        | task_3 | completed |

  Rule: A condition picks exactly one branch

    Scenario Outline: Condition <condition> runs only <taken>
      Given a workflow "chooser" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: decide
            action: echo text
            input:
              text: "deciding"
            next:
              - when: "{{ parameters.condition }}"
                do: [branch_a]
              - when: "{{ not parameters.condition }}"
                do: [branch_b]
          - name: branch_a
            action: echo text
            input:
              text: "branch a"
          - name: branch_b
            action: echo text
            input:
              text: "branch b"
        """
      And a webhook "decisions" whose rule "on decision" runs "chooser" with the parameters:
        """
        {"condition": "{{ event.payload.condition }}"}
        """
      When the webhook "decisions" receives the payload:
        """
        {"condition": <condition>}
        """
      Then the rule "on decision" started exactly one run of the workflow "chooser"
      And the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task    | status    |
        | decide  | completed |
        | <taken> | completed |

      Examples:
        | condition | taken    |
        | true      | branch_a |
        | false     | branch_b |

  Rule: A nested workflow that handles its own failure completes its caller

    Scenario: A child workflow recovers from a failed task and the parent completes
      Given an action "breaks" that runs the shell script:
        """
        echo "try failed" >&2
        exit 1
        """
      And a workflow "careful child" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: try_task
            action: breaks
            next:
              - when: "{{ failed() }}"
                do: [recovery_task]
          - name: recovery_task
            action: echo text
            input:
              text: "recovered"
        """
      And a workflow "careful parent" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: call_child
            action: careful child
        """
      And a webhook "risky job" whose rule "on risky job" runs "careful parent"
      When the webhook "risky job" receives the payload:
        """
        {"job": "risky"}
        """
      Then the rule "on risky job" started exactly one run of the workflow "careful parent"
      And the workflow run's tree is:
        """
        careful parent: completed
          call_child → careful child: completed
            try_task → breaks: failed
            recovery_task → echo text: completed
        """

  Rule: Published values flow through a transformation pipeline

    Scenario: Upper-casing then prefixing "hello world" delivers exactly "PREFIX: HELLO WORLD"
      Given an action "uppercase" that prints JSON from the shell script:
        """
        printf '{"result": "%s"}\n' "$(printf '%s' "$text" | tr '[:lower:]' '[:upper:]')"
        """
      And an action "add prefix" that prints JSON from the shell script:
        """
        printf '{"result": "PREFIX: %s"}\n' "$text"
        """
      And a workflow "pipeline" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: step1_uppercase
            action: uppercase
            input:
              text: "{{ parameters.input_text }}"
            next:
              - when: "{{ succeeded() }}"
                publish:
                  - uppercase_result: "{{ result().data.result }}"
                do: [step2_add_prefix]
          - name: step2_add_prefix
            action: add prefix
            input:
              text: "{{ workflow.uppercase_result }}"
        output_map:
          final: "{{ task.step2_add_prefix.result.data.result }}"
        """
      And a webhook "texts" whose rule "on text" runs "pipeline" with the parameters:
        """
        {"input_text": "{{ event.payload.text }}"}
        """
      When the webhook "texts" receives the payload:
        """
        {"text": "hello world"}
        """
      Then the rule "on text" started exactly one run of the workflow "pipeline"
      And the workflow's output is:
        """
        {"final": "PREFIX: HELLO WORLD"}
        """
