@tier2 @workflows @packs
Feature: Workflow files
  A pack's workflows MAY live as files in the pack's folder: `actions/workflows/<name>.workflow.yaml`
  (and legacy `workflows/<name>.yaml`), each holding the workflow's ref, label, version,
  `parameters`, `output` and its graph.

  POST /api/v1/packs/{pack_ref}/workflow-files MUST write such a file and register the workflow
  `<pack>.<name>` with its companion action of the same ref (201, the workflow as answered by
  GET /api/v1/workflows/{ref}); a definition the engine could never run MUST be refused 422 with
  nothing written. PUT /api/v1/workflows/{ref}/file MUST rewrite the file and the registered
  workflow alike (200).

  POST /api/v1/packs/{ref}/workflows/validate MUST check every workflow file of the pack without
  registering anything, answering how many it validated and, by workflow ref, what is wrong
  with each broken one (a task naming an action that does not exist is broken).
  POST /api/v1/packs/{ref}/workflows/sync MUST register the pack's workflow files again: how
  many it loaded and registered, and per workflow whether it was created or updated and its id.

  Catalog: no catalog id (Attune's e2e suite installs its workflows with the fixture pack only);
  the rules are those of Attune 0.2.1's workflow-file routes.

  Background:
    Given my pack's file "workflows/relay.yaml" holds:
      """
      ref: relay
      label: Relay
      version: 1.0.0
      tasks:
        - name: say
          action: core.echo
          input:
            message: relayed
      """
    And my pack's file "workflows/broken.yaml" holds:
      """
      ref: broken
      label: Broken
      version: 1.0.0
      tasks:
        - name: call
          action: <pack>.missing
      """
    And I install my pack from its files

  Scenario: Validation names each broken workflow file
    When I validate the workflows of my pack
    Then 2 workflow files were validated and exactly 1 is broken: "broken", because its task "call" names the missing action "<pack>.missing"

  Scenario: A workflow file saved through the API becomes a workflow with its own action, and can be rewritten
    When I save the workflow file "greet" in my pack, labelled "Greeter", version "1.0.0", with the tasks "hello"
    Then the answer is 201 with the workflow "greet" labelled "Greeter", version "1.0.0", with the tasks "hello"
    And the workflow "greet" reads the same, with its action "greet" pointing at it
    And validating the workflows of my pack now counts 3 files, "broken" the only broken one
    When I rewrite the file of the workflow "greet", labelled "Greeter II", version "1.1.0", with the tasks "hello, bye"
    Then the answer is 200 with the workflow "greet" labelled "Greeter II", version "1.1.0", with the tasks "hello, bye"
    And the workflow "greet" reads the same, with its action "greet" pointing at it

  Scenario: A definition the engine could never run is refused and no file is written
    When I try to save the workflow file "loop" in my pack whose task "spin" goes to the task "nowhere"
    Then the answer is 422 with a JSON error naming the task "spin"
    And validating the workflows of my pack now counts 2 files, "broken" the only broken one

  Scenario: Syncing registers the workable files again and reports the others
    When I sync the workflows of my pack
    Then 2 workflow files were loaded and 1 registered: "relay", updated, under its existing id
    And the sync reports exactly one error, naming "broken"
