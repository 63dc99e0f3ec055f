@tier3 @runtimes @isolation
Feature: Packs that pin conflicting versions of one dependency each run with their own
  When two packs need different versions of the same package, every run of a pack's action MUST use the version that
  pack pinned, loaded from an environment that belongs to that pack alone: all runs of one pack load the package from
  the same file, in a folder named after that pack, and never from the other pack's. This MUST hold whether the packs
  run one at a time or at the same moment, and whether their environments already exist or are still to be built
  when several runs ask for them at once. It holds for Python packages (requirements.txt and wheels the pack ships) and
  for npm packages (package.json and tarballs the pack ships) alike.

  Catalog: T3.19; README example 8 (pack A needs requests 2.25.0 and pack B 2.28.0; each runs with its own version,
  alone and both at once; here with packages the packs ship instead of requests from an index).

  Rule: Python packages: each pack imports the version it pinned

    Background:
      Given pack "alpha" ships the Python package "e2e-greeting" at version "2.25.0"
      And pack "alpha" requires "e2e-greeting==2.25.0"
      And pack "beta" ships the Python package "e2e-greeting" at version "2.28.0"
      And pack "beta" requires "e2e-greeting==2.28.0"
      And the packs "alpha" and "beta" each have a Python action "which" that prints JSON from the code:
        """python
        import json

        import e2e_greeting

        print(json.dumps({"version": e2e_greeting.__version__, "module_file": e2e_greeting.__file__}))
        """
      And I install the packs "alpha" and "beta"

    Scenario: Two packs pinning different versions of a Python package each import their own, alone and then at once
      When I run "which" of the packs "alpha" and "beta", one pack after the other
      And I run "which" of the packs "alpha" and "beta" 3 times each, all at once
      Then every run of "which" succeeded and reported:
        | pack  | runs | version |
        | alpha | 4    | 2.25.0  |
        | beta  | 4    | 2.28.0  |
      And each pack's runs loaded "e2e-greeting" from one folder of that pack's own

    Scenario: Two packs whose Python environments are built while both are asked for at once each import their own
      When I run "which" of the packs "alpha" and "beta" 3 times each, all at once
      Then every run of "which" succeeded and reported:
        | pack  | runs | version |
        | alpha | 3    | 2.25.0  |
        | beta  | 3    | 2.28.0  |
      And each pack's runs loaded "e2e-greeting" from one folder of that pack's own

  Rule: npm packages: each pack loads the version it pinned

    Background:
      Given pack "alpha" ships the npm package "e2e-greeting" at version "2.25.0" as a tarball
      And pack "alpha" depends on the npm package "e2e-greeting" at version "2.25.0"
      And pack "beta" ships the npm package "e2e-greeting" at version "2.28.0" as a tarball
      And pack "beta" depends on the npm package "e2e-greeting" at version "2.28.0"
      And the packs "alpha" and "beta" each have a Node.js action "which" that prints JSON from the code:
        """javascript
        const greeting = require('e2e-greeting');
        console.log(JSON.stringify({ version: greeting.version, module_file: require.resolve('e2e-greeting') }));
        """
      And I install the packs "alpha" and "beta"

    Scenario: Two packs pinning different versions of an npm package each load their own, alone and then at once
      When I run "which" of the packs "alpha" and "beta", one pack after the other
      And I run "which" of the packs "alpha" and "beta" 3 times each, all at once
      Then every run of "which" succeeded and reported:
        | pack  | runs | version |
        | alpha | 4    | 2.25.0  |
        | beta  | 4    | 2.28.0  |
      And each pack's runs loaded "e2e-greeting" from one folder of that pack's own

    Scenario: Two packs whose npm environments are built while both are asked for at once each load their own
      When I run "which" of the packs "alpha" and "beta" 3 times each, all at once
      Then every run of "which" succeeded and reported:
        | pack  | runs | version |
        | alpha | 3    | 2.25.0  |
        | beta  | 3    | 2.28.0  |
      And each pack's runs loaded "e2e-greeting" from one folder of that pack's own
