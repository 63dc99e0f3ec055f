@tier2 @workflows
Feature: Defining workflows
  Creating a workflow in my pack MUST answer 201 with the workflow as stored (its
  definition exactly as given) and MUST create, with it, a companion action of the same
  ref whose entrypoint is "workflow" and whose `workflow_def` is the workflow's id: that
  action is what rules and manual runs start. The workflow MUST be readable by its ref,
  listed for its pack (`GET /api/v1/workflows?pack_ref=…` and
  `GET /api/v1/packs/<pack>/workflows` alike), changeable (label and definition, the
  companion following), and deleting it MUST remove the companion action too.

  A definition the engine could never run MUST be refused at once with 422 and a JSON
  error naming what is wrong, and nothing may be stored: afterwards there is neither a
  workflow nor an action of that ref. Refused are a transition to a task that does not
  exist, an action that does not exist, an expression that does not parse, a join
  waiting for more transitions than lead to its task, and tasks that only lead into
  each other (a cycle with no way in or out).

  A pack's YAML workflows MUST be registered when the pack is installed: an action file
  naming a `workflow_file` (the graph in `actions/workflows/`) and a legacy standalone
  `workflows/<name>.yaml` alike become workflows of the pack, readable and listed like
  the ones created over the API, each with its companion action, and each runs to the
  exact output its graph promises. A pack holding a workflow that could never run MUST be
  refused whole with 400 and a JSON error naming the file and the problem: afterwards
  neither the pack nor anything in it exists. In pack files `<pack>` stands for the
  scenario's own pack ref.

  Catalog: T3.7 (its workflows are created over the API, 201 expected). The refusals
  have no catalog id: they are the orchestration issue's, after contract §13.1–13.2 and
  docs/workflows.md "Creating a workflow". Pack-file workflows: contract §13.3 and the
  pack upload route, internals §7.1, §7.4 and §7.8.

  Rule: A workflow is created with a companion action, read, listed, changed and deleted

    Background:
      Given a pack of my own

    Scenario: Creating a workflow stores its definition and a companion action of the same ref
      When I create the workflow "greeting flow" with the definition:
        """
        version: "1.0.0"
        vars:
          greeting: "hello"
        tasks:
          - name: greet
            action: core.echo
            input:
              message: "{{ workflow.greeting }}"
        output_map:
          said: "{{ task.greet.result.stdout }}"
        """
      Then the workflow "greeting flow" is created with its definition and a companion action of the same ref

    Scenario: The workflows of my pack are listed, by pack filter and under the pack alike
      Given a workflow "first flow" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: only
            action: core.echo
        """
      And a workflow "second flow" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: only
            action: core.echo
        """
      Then the workflows listed for my pack are exactly:
        | first flow  |
        | second flow |

    Scenario: Changing a workflow's label and definition is read back, the companion following
      Given a workflow "evolving flow" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: only
            action: core.echo
        """
      When I change the workflow "evolving flow" to the label "evolved flow" and the definition:
        """
        version: "1.0.0"
        tasks:
          - name: first
            action: core.echo
            next:
              - when: "{{ succeeded() }}"
                do: [second]
          - name: second
            action: core.echo
        """
      Then the workflow "evolving flow" reads back with the label "evolved flow" and the new definition

    Scenario: Deleting a workflow removes its companion action
      Given a workflow "short-lived flow" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: only
            action: core.echo
        """
      When I delete the workflow "short-lived flow"
      Then the workflow "short-lived flow" is deleted
      And there is neither a workflow nor an action "short-lived flow"

  Rule: A definition that could never run is refused and nothing is stored

    Background:
      Given a pack of my own

    Scenario Outline: A definition with <problem> is refused with 422 naming it
      When I try to create the workflow "broken flow" with the definition:
        """
        version: "1.0.0"
        tasks: <tasks>
        """
      Then the workflow "broken flow" is refused as unprocessable, naming "<named>"
      And there is neither a workflow nor an action "broken flow"

      Examples:
        | problem                                 | tasks                                                                                                                                                                                                 | named                                  |
        | a transition to an unknown task         | [{name: a, action: core.echo, next: [{do: [nope]}]}]                                                                                                                                                  | unknown task 'nope'                    |
        | an unknown action                       | [{name: a, action: core.no_such_action_e2e}]                                                                                                                                                          | action 'core.no_such_action_e2e' not found |
        | an expression that does not parse       | [{name: a, action: core.echo, next: [{when: "{{ 1 + }}", do: [b]}]}, {name: b, action: core.echo}]                                                                                                    | invalid expression '{{ 1 + }}'         |
        | a join larger than its inbound edges    | [{name: a, action: core.echo, next: [{do: [b, c]}]}, {name: b, action: core.echo, next: [{do: [d]}]}, {name: c, action: core.echo, next: [{do: [d]}]}, {name: d, action: core.echo, join: 3}]          | join 3 exceeds its 2 inbound transitions |
        | a cycle without a way out               | [{name: a, action: core.echo, next: [{do: [b]}]}, {name: b, action: core.echo, next: [{do: [a]}]}]                                                                                                    | form a cycle with no way out           |

  Rule: A pack's YAML workflows are registered with the pack and run

    Background:
      Given my pack's file "actions/shout.yaml" holds:
        """
        ref: <pack>.shout
        label: Shout
        description: Prints its message in capitals, as JSON.
        runner_type: shell
        entry_point: shout.sh
        parameter_delivery: stdin
        parameter_format: dotenv
        output_format: json
        parameters:
          message:
            type: string
            required: true
        """
      And my pack's file "actions/shout.sh" holds:
        """
        #!/bin/sh
        # the parameters arrive as message='...' lines on stdin
        message=$(sed -n "s/^message='\(.*\)'$/\1/p")
        printf '{"shouted": "%s"}\n' "$(printf '%s' "$message" | tr '[:lower:]' '[:upper:]')"
        """
      And my pack's file "actions/relay.yaml" holds:
        """
        ref: <pack>.relay
        label: Relay
        description: Shouts a message, then shouts what it heard once more.
        workflow_file: workflows/relay.workflow.yaml
        parameters:
          message:
            type: string
            required: true
        """
      And my pack's file "actions/workflows/relay.workflow.yaml" holds:
        """
        version: "1.0.0"
        vars:
          suffix: " again"
        tasks:
          - name: loud
            action: <pack>.shout
            input:
              message: "{{ parameters.message }}"
            next:
              - when: "{{ succeeded() }}"
                publish:
                  - heard: "{{ result().data.shouted }}"
                do: [louder]
          - name: louder
            action: <pack>.shout
            input:
              message: "{{ workflow.heard }}{{ workflow.suffix }}"
        output_map:
          relayed: "{{ task.louder.result.data.shouted }}"
        """
      And my pack's file "workflows/legacy_relay.yaml" holds:
        """
        ref: <pack>.legacy_relay
        label: Legacy relay
        description: The older standalone form; shouts a greeting, then hands the message to the relay.
        version: "1.0.0"
        parameters:
          message:
            type: string
            required: true
        output:
          shouted:
            type: string
          relayed:
            type: string
        tags: [e2e]
        vars:
          - greeting: "hi"
        tasks:
          - name: shout
            action: <pack>.shout
            input:
              message: "{{ workflow.greeting }} {{ parameters.message }}"
            next:
              - when: "{{ succeeded() }}"
                do: [relay]
          - name: relay
            action: <pack>.relay
            input:
              message: "{{ parameters.message }}"
        output_map:
          shouted: "{{ task.shout.result.data.shouted }}"
          relayed: "{{ task.relay.result.relayed }}"
        """

    @packs
    Scenario: Installing a pack registers its action-linked and legacy workflows, each with a companion action
      When I install my pack from its files
      Then the workflows listed for my pack are exactly:
        | relay        |
        | legacy relay |
      And my pack's workflows are registered with their companion actions:
        | workflow     | label        | tasks        |
        | relay        | Relay        | loud, louder |
        | legacy relay | Legacy relay | shout, relay |

    @packs
    Scenario: The action-linked workflow of an installed pack runs its pack's action
      When I install my pack from its files
      And I run the workflow "relay" with the parameters:
        """
        {"message": "hello"}
        """
      Then the workflow's output is:
        """
        {"relayed": "HELLO AGAIN"}
        """
      And the workflow run's tree is:
        """
        relay: completed
          loud → shout: completed
          louder → shout: completed
        """

    @packs
    Scenario: The legacy standalone workflow of an installed pack runs, nesting the action-linked one
      When I install my pack from its files
      And I run the workflow "legacy relay" with the parameters:
        """
        {"message": "there"}
        """
      Then the workflow's output is:
        """
        {"shouted": "HI THERE", "relayed": "THERE AGAIN"}
        """
      And the workflow run's tree is:
        """
        legacy relay: completed
          shout → shout: completed
          relay → relay: completed
            loud → shout: completed
            louder → shout: completed
        """

  Rule: A pack holding a workflow that could never run is refused whole

    @packs
    Scenario: A pack whose workflow names an unknown task is refused with 400 naming the file, and nothing of it is stored
      Given my pack's file "actions/broken.yaml" holds:
        """
        ref: <pack>.broken
        label: Broken
        workflow_file: workflows/broken.workflow.yaml
        """
      And my pack's file "actions/workflows/broken.workflow.yaml" holds:
        """
        version: "1.0.0"
        tasks:
          - name: a
            action: core.echo
            next:
              - do: [nope]
        """
      When I try to install my pack from its files
      Then installing my pack is refused as a bad request naming "actions/workflows/broken.workflow.yaml" and "unknown task 'nope'"
      And my pack does not exist
      And there is neither a workflow nor an action "broken"
