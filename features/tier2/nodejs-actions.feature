@tier2 @runtimes
Feature: Node.js actions, with the modules their pack brings
  A Node.js action MUST run with the target's node, get its parameters as one JSON document on stdin, and have the
  JSON it prints parsed into result.data, value for value. It MUST be able to require a module its pack ships in its
  own node_modules folder, and the packages its package.json declares from tarballs the pack ships
  (`file:vendor/<name>-<version>.tgz`): those are installed into an environment of the pack's own, never fetched from
  the npm registry while it runs. Asynchronous work MUST run to its end before the execution ends. A dependency the pack
  cannot provide MUST end the execution `failed` with npm's reason, naming what is missing. An action MUST be able to
  read its input and its pack's secrets with the worker's helper (`require('attune-action')`: getSecret, parameters).

  Catalog: T2.13 (node_basic echoes its message with a node version starting "v", a package's version is present,
  several packages give sum == 15, async/await completes two delays; here with packages the pack ships instead of
  axios and lodash from the registry).

  Rule: A Node.js action runs with its parameters, and its JSON output is parsed

    Scenario: A Node.js action echoes its message and reports the node version
      Given my pack has a Node.js action "echo" that prints JSON from the code:
        """javascript
        const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8') || '{}');
        console.log(JSON.stringify({ message: input.message, nodeVersion: process.version }));
        """
      When I install my pack from its files
      And I run "echo" with the parameters:
        | message | Test message |
      Then the execution succeeds
      And the action's JSON output holds:
        | message | Test message |
      And the action's JSON output has "nodeVersion" matching "^v\d+\.\d+\.\d+$"

    Scenario: A Node.js action awaits its asynchronous work before it ends
      Given my pack has a Node.js action "wait twice" that prints JSON from the code:
        """javascript
        const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

        async function main() {
          let delaysCompleted = 0;
          await delay(200);
          delaysCompleted += 1;
          await delay(200);
          delaysCompleted += 1;
          console.log(JSON.stringify({ delaysCompleted, nested: { done: true, steps: ['first', 'second'] } }));
        }

        main();
        """
      When I install my pack from its files
      And I run "wait twice"
      Then the execution succeeds
      And the action's JSON output is exactly:
        """
        {"delaysCompleted": 2, "nested": {"done": true, "steps": ["first", "second"]}}
        """

  Rule: An action requires what its pack ships, from the pack's own folders

    Scenario: A Node.js action requires a module from its pack's own node_modules
      Given my pack ships the npm package "e2e-numbers" at version "1.2.0" in its own node_modules
      And my pack has a Node.js action "sum" that prints JSON from the code:
        """javascript
        const numbers = require('e2e-numbers');
        console.log(JSON.stringify({
          version: numbers.version,
          sum: numbers.total([1, 2, 3, 4, 5]),
          module_file: require.resolve('e2e-numbers'),
        }));
        """
      When I install my pack from its files
      And I run "sum"
      Then the execution succeeds
      And the action's JSON output holds:
        | version | 1.2.0 |
        | sum     | 15    |
      And the action loaded "e2e-numbers" from a folder of my pack's own

    Scenario: A Node.js action uses several packages its package.json takes from tarballs the pack ships
      Given my pack ships the npm package "e2e-greeting" at version "1.0.0" as a tarball
      And my pack ships the npm package "e2e-numbers" at version "2.0.0" as a tarball
      And my pack depends on the npm package "e2e-greeting" at version "1.0.0"
      And my pack depends on the npm package "e2e-numbers" at version "2.0.0"
      And my pack has a Node.js action "greet and count" that prints JSON from the code:
        """javascript
        const greeting = require('e2e-greeting');
        const numbers = require('e2e-numbers');
        console.log(JSON.stringify({
          greeting: greeting.greet('Ada'),
          numbers: numbers.version,
          sum: numbers.total([1, 2, 3, 4, 5]),
          module_file: require.resolve('e2e-greeting'),
        }));
        """
      When I install my pack from its files
      And I run "greet and count"
      Then the execution succeeds
      And the action's JSON output holds:
        | greeting | Hello, Ada, from e2e-greeting 1.0.0 |
        | numbers  | 2.0.0                               |
        | sum      | 15                                  |
      And the action loaded "e2e-greeting" from a folder of my pack's own

    Scenario: A dependency whose tarball the pack does not ship fails with npm's reason
      Given my pack ships the npm package "e2e-numbers" at version "2.0.0" as a tarball
      And my pack depends on the npm package "e2e-numbers" at version "2.0.0"
      And my pack depends on the npm package "e2e-greeting" at version "1.0.0"
      And my pack has a Node.js action "greet" that prints JSON from the code:
        """javascript
        const greeting = require('e2e-greeting');
        console.log(JSON.stringify({ greeting: greeting.greet('Ada') }));
        """
      When I install my pack from its files
      And I run "greet"
      Then the execution fails with an error that includes "vendor/e2e-greeting-1.0.0.tgz"

  Rule: An action reads its input and its pack's secrets with the worker's helper

    @requires-action-helpers @secrets
    Scenario: A Node.js action reads its parameter and its pack's secret with the helper
      Given my pack has a Node.js action "sign in" that prints JSON from the code:
        """javascript
        const { getSecret, parameters } = require('attune-action');
        console.log(JSON.stringify({
          user: parameters().user,
          password: getSecret('db_password'),
          token: getSecret('api_token') ?? 'none given',
        }));
        """
      And I install my pack from its files
      And my pack holds the encrypted secret "db_password" with the value "Tr0ub4dor&3-node-helper"
      When I run "sign in" with the parameters:
        | user | ada |
      Then the execution succeeds
      And the action's JSON output is exactly:
        """
        {"user": "ada", "password": "Tr0ub4dor&3-node-helper", "token": "none given"}
        """
