@tier2 @runtimes
Feature: Python actions with the dependencies their pack declares
  Before a pack's Python action runs, the packages its requirements.txt names MUST be installed into an environment
  that belongs to that pack alone, from what the pack itself ships (here: wheels in its `wheels/` folder, read with
  pip's `--no-index --find-links wheels`, so no package index is needed). The action MUST import exactly the version
  the pack pinned. The environment MUST be built once and then reused: a second run finds the very same module file
  (same environment, same inode, same modification time). When the pack is installed again with other requirements,
  the next run MUST use the new ones. An import the pack does not provide MUST end the execution `failed` with
  Python's own import error as its error; a requirement that nothing in the pack satisfies MUST end it `failed` with
  the installer's reason, naming the requirement. An action MUST be able to read its input and its pack's secrets
  with the worker's helper (`from attune_action import get_secret, parameters`).

  Catalog: T2.12 (python_requests and python_multi_deps report their versions, a second run works too,
  python_missing_dep ends failed; here with small packages the pack ships instead of requests and pyyaml from an
  index).

  Background:
    Given my pack ships the Python package "e2e-greeting" at versions "1.0.0" and "2.0.0"
    And my pack has a Python action "greet" that prints JSON from the code:
      """python
      import json
      import os
      import sys

      import e2e_greeting

      module = os.stat(e2e_greeting.__file__)
      print(json.dumps({
          "version": e2e_greeting.__version__,
          "greeting": e2e_greeting.greet("Ada"),
          "prefix": sys.prefix,
          "module_file": e2e_greeting.__file__,
          "module_inode": module.st_ino,
          "module_mtime_ns": str(module.st_mtime_ns),
      }))
      """

  Rule: An action imports exactly what its pack pinned, from an environment of the pack's own

    Scenario: A Python action imports the version its pack's requirements pin
      Given my pack requires "e2e-greeting==1.0.0"
      When I install my pack from its files
      And I run "greet"
      Then the execution succeeds
      And the action's JSON output holds:
        | version  | 1.0.0                               |
        | greeting | Hello, Ada, from e2e-greeting 1.0.0 |
      And the action loaded "e2e-greeting" from a folder of my pack's own

    Scenario: A Python action imports every package its pack pins
      Given my pack ships the Python package "e2e-numbers" at version "3.1.0"
      And my pack requires "e2e-greeting==2.0.0" and "e2e-numbers==3.1.0"
      And my pack has a Python action "tally" that prints JSON from the code:
        """python
        import json

        import e2e_greeting
        import e2e_numbers

        print(json.dumps({
            "greeting": e2e_greeting.__version__,
            "numbers": e2e_numbers.__version__,
            "sum": e2e_numbers.total([1, 2, 3, 4, 5]),
        }))
        """
      When I install my pack from its files
      And I run "tally"
      Then the execution succeeds
      And the action's JSON output is exactly:
        """
        {"greeting": "2.0.0", "numbers": "3.1.0", "sum": 15}
        """

  Rule: The environment is built once, reused, and rebuilt when the requirements change

    Scenario: A second run reuses the environment the first run built
      Given my pack requires "e2e-greeting==1.0.0"
      When I install my pack from its files
      And I run "greet" twice, one run after the other
      Then both runs of "greet" succeeded and loaded the very same module file, untouched

    Scenario: New requirements take effect on the next run once the pack is installed again
      Given my pack requires "e2e-greeting==1.0.0"
      And I install my pack from its files
      And I run "greet"
      And the execution succeeds
      When my pack's requirements become "e2e-greeting==2.0.0" and I install my pack again
      And I run "greet"
      Then the execution succeeds
      And the action's JSON output holds:
        | version  | 2.0.0                               |
        | greeting | Hello, Ada, from e2e-greeting 2.0.0 |
      And the action loaded "e2e-greeting" from a folder of my pack's own

  Rule: A dependency the pack cannot provide ends the execution failed, with the reason

    Scenario: An import the pack does not provide fails with Python's import error
      Given my pack requires "e2e-greeting==1.0.0"
      And my pack has a Python action "farewell" that prints JSON from the code:
        """python
        import json

        import e2e_farewell

        print(json.dumps({"farewell": e2e_farewell.__version__}))
        """
      When I install my pack from its files
      And I run "farewell"
      Then the execution fails with exit code 1 and an error whose last line is "ModuleNotFoundError: No module named 'e2e_farewell'"

    Scenario: A requirement that nothing in the pack satisfies fails with the installer's reason
      Given my pack requires "e2e-greeting==9.9.9"
      When I install my pack from its files
      And I run "greet"
      Then the execution fails with an error that includes "No matching distribution found for e2e-greeting==9.9.9"

  Rule: An action reads its input and its pack's secrets with the worker's helper

    @requires-action-helpers @secrets
    Scenario: A Python action reads its parameter and its pack's secret with the helper
      Given my pack has a Python action "sign in" that prints JSON from the code:
        """python
        import json

        from attune_action import get_secret, parameters

        print(json.dumps({
            "user": parameters()["user"],
            "password": get_secret("db_password"),
            "token": get_secret("api_token", "none given"),
        }))
        """
      And I install my pack from its files
      And my pack holds the encrypted secret "db_password" with the value "Tr0ub4dor&3-python-helper"
      When I run "sign in" with the parameters:
        | user | ada |
      Then the execution succeeds
      And the action's JSON output is exactly:
        """
        {"user": "ada", "password": "Tr0ub4dor&3-python-helper", "token": "none given"}
        """
