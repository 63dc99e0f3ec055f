@tier2 @workflows
Feature: Sequential workflows and the data they pass on
  Tasks chained by `succeeded()` transitions MUST run strictly in order: each starts
  only after the previous one has ended (its `started_at` is not before the previous
  run's last update). A value a transition publishes MUST be available to every later
  task (`{{ workflow.<name> }}`) and to the workflow's output, value for value. A task
  with `join: 2` behind two parallel branches MUST run exactly once, and only after both
  branches have ended (one branch takes a second, the other none, so a join that let the
  first arrival through would start the task a second early). A failure in the chain MUST stop it: the tasks after the failed
  one are never created.

  Catalog: T2.11; README example 2 (a workflow that starts, waits, finishes in strict
  order, its variables carried from task to task).

  Background:
    Given a pack of my own
    And an action "say" that prints JSON from the shell script:
      """
      sleep 1
      printf '{"said": "%s"}\n' "$text"
      """

  Rule: Chained tasks run strictly one after another and pass their values on

    Scenario: Three tasks run in order and each one's published value reaches the next and the output
      Given a workflow "relay" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: start
            action: say
            input:
              text: "Starting workflow"
            next:
              - when: "{{ succeeded() }}"
                publish:
                  - greeting: "{{ result().data.said }}"
                do: [wait]
          - name: wait
            action: say
            input:
              text: "after {{ workflow.greeting }}"
            next:
              - when: "{{ succeeded() }}"
                publish:
                  - middle: "{{ result().data.said }}"
                do: [finish]
          - name: finish
            action: say
            input:
              text: "Workflow complete"
            next:
              - when: "{{ succeeded() }}"
                publish:
                  - farewell: "{{ result().data.said }}"
        output_map:
          greeting: "{{ workflow.greeting }}"
          middle: "{{ workflow.middle }}"
          farewell: "{{ workflow.farewell }}"
        """
      When I run the workflow "relay"
      Then the workflow succeeds
      And the tasks "start, wait, finish" ran strictly one after another
      And the task "wait" received the input:
        """
        {"text": "after Starting workflow"}
        """
      And the workflow's output is:
        """
        {"greeting": "Starting workflow", "middle": "after Starting workflow", "farewell": "Workflow complete"}
        """

  Rule: A join waits for every branch it joins

    Scenario: A diamond runs its joining task once, after both branches ended
      Given an action "say at once" that prints JSON from the shell script:
        """
        printf '{"said": "%s"}\n' "$text"
        """
      And a workflow "diamond" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: a
            action: say
            input:
              text: "a"
            next:
              - when: "{{ succeeded() }}"
                do: [b, c]
          - name: b
            action: say
            input:
              text: "b"
            next:
              - when: "{{ succeeded() }}"
                do: [d]
          - name: c
            action: say at once
            input:
              text: "c"
            next:
              - when: "{{ succeeded() }}"
                do: [d]
          - name: d
            action: say
            input:
              text: "d"
            join: 2
        """
      When I run the workflow "diamond"
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task | status    |
        | a    | completed |
        | b    | completed |
        | c    | completed |
        | d    | completed |
      And the task "d" ran exactly once, starting after "b" and "c" had both ended

  Rule: A failure stops the chain

    Scenario: A failing middle task leaves the last task never created
      Given an action "breaks" that runs the shell script:
        """
        echo "middle step broke" >&2
        exit 1
        """
      And a workflow "broken relay" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: start
            action: say
            input:
              text: "a"
            next:
              - when: "{{ succeeded() }}"
                do: [middle]
          - name: middle
            action: breaks
            next:
              - when: "{{ succeeded() }}"
                do: [finish]
          - name: finish
            action: say
            input:
              text: "c"
        """
      When I run the workflow "broken relay"
      Then the workflow fails with the error "Workflow failed: 1 task(s) failed: middle"
      And the tasks of the workflow run ended like this:
        | task   | status    |
        | start  | completed |
        | middle | failed    |
      And the task "finish" never ran
