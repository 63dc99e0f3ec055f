@tier3 @secrets
Feature: Secret injection: a secret reaches its action's input and nothing else
  A secret is a key owned by the system, a pack or an action. The worker MUST merge the
  secrets an action may have into its input document as top-level values named by each
  key's `name` (system keys first, then the action's pack's, then the action's own, a later
  owner winning a clash of names, and a secret winning a clash with a parameter), decrypted,
  at delivery and nowhere earlier. The document arrives on stdin. An inline shell action
  also finds each value in a shell variable `<name>` and `PARAM_<NAME>` that is NOT
  exported, and the script file the worker runs holds no value at all (no secret is ever
  written to disk in clear). Python and Node.js actions may read it with the worker's helpers:
  `get_secret(name, default=None)` from `attune_action`, `getSecret(name, fallback)` from
  `attune-action`, which give the default for a name the action was not given. (No scenario
  stores a system key: it would reach every action of every scenario running beside it.)

  A secret MUST NOT appear anywhere else: not in the environment of the action or of its
  children, not on its command line or its parent's, not in the stored stdout and stderr,
  not in the result, not in the execution's parameters or config, not in the event and
  enforcement of a rule's run, and not in any service's log (not even the log of the key
  request that carried the value). Identity-owned keys are an identity's own datastore and
  are never delivered to actions, whoever runs them; another identity's key is hidden,
  answered 404 exactly like a key that does not exist. Ciphertext at rest is T1.6's
  (features/tier1/datastore.feature).

  Each scenario's secret has a value no other scenario holds (random hex digits with a
  space, a single quote and a `$`), so finding that value anywhere is a leak, and a shell
  that quotes it wrongly changes it. The probe actions report the SHA-256 of what they
  received and only the NAMES of the variables that hold it, never the value. The log check
  (where the services' log files are on this machine) reads every `*.log` whole, once a log
  line names the run's execution id (bounded by `serviceLogRecorded`, support/timeouts.ts),
  so it never passes over logs that nobody writes any more.

  Catalog: T3.20; README example 4 (secrets via stdin, not in the environment or the logs, the
  get_secret helper)

  Rule: An action receives its secret in its input, and its process shows it nowhere else

    Scenario: A shell action finds its pack's secret on stdin and in unexported shell variables, and nowhere else
      Given my pack holds the encrypted secret "api_password" with a value unique to this scenario
      And an action "api client" that probes where its secret "api_password" can be seen
      When I run "api client"
      Then the execution succeeds
      And the action received the secret "api_password" on stdin and as the shell variables "api_password" and "PARAM_API_PASSWORD"
      And the secret "api_password" is in no environment of the action or its children, and on neither its command line nor its parent's
      And the secret "api_password" is nowhere in the execution as the API answers it

    Scenario: A failing action's stored error and output do not hold its secret
      Given my pack holds the encrypted secret "api_password" with a value unique to this scenario
      And an action "refused call" that runs the shell script:
        """
        [ -n "$api_password" ] || { echo "no password was given" >&2; exit 2; }
        echo "calling the service with the password"
        echo "the service refused the call" >&2
        exit 3
        """
      When I run "refused call"
      Then the execution fails with exit code 3 and the error "the service refused the call"
      And the execution printed exactly the line "calling the service with the password"
      And the secret "api_password" is nowhere in the execution as the API answers it

    Scenario: An inline shell action's script file holds none of its input
      Given my pack holds the encrypted secret "api_password" with a value unique to this scenario
      And an action "file check" that runs the shell script:
        """
        [ -n "$api_password" ] || { echo "no password was given" >&2; exit 2; }
        # the value's 24 random hex digits: they read the same however a shell would quote the value
        unique=$(printf %s "$api_password" | grep -o -E '[0-9a-f]{24}')
        grep -c -F -e "$unique" "$0" || true
        """
      When I run "file check"
      Then the execution succeeds
      And the execution printed exactly the line "0"

    @requires-action-helpers
    Scenario: A Python action reads its pack's secret with get_secret, and its process shows it nowhere else
      Given my pack holds a Python action "python client" that reads its secret "api_password" with get_secret
      And my pack holds the encrypted secret "api_password" with a value unique to this scenario
      When I run "python client"
      Then the execution succeeds
      And the action received the secret "api_password" from the helper, and the default for a name it was not given
      And the secret "api_password" is in no environment of the action or its children, and on neither its command line nor its parent's
      And the secret "api_password" is nowhere in the execution as the API answers it

    @requires-action-helpers
    Scenario: A Node.js action reads its pack's secret with getSecret, and its process shows it nowhere else
      Given my pack holds a Node.js action "node client" that reads its secret "api_password" with getSecret
      And my pack holds the encrypted secret "api_password" with a value unique to this scenario
      When I run "node client"
      Then the execution succeeds
      And the action received the secret "api_password" from the helper, and the default for a name it was not given
      And the secret "api_password" is in no environment of the action or its children, and on neither its command line nor its parent's
      And the secret "api_password" is nowhere in the execution as the API answers it

  Rule: What the platform records and logs about a run never holds a secret

    Scenario: A rule's run receives the secret, and its event, enforcement and execution do not hold it
      Given my pack holds the encrypted secret "signing_key" with a value unique to this scenario
      And an action "order signer" that probes where its secret "signing_key" can be seen
      And a webhook "orders" whose rule "sign orders" runs "order signer" with the parameters:
        """
        {"order_id": "{{ event.payload.order_id }}"}
        """
      When the webhook "orders" receives the payload:
        """
        {"order_id": 4711, "customer": "ACME"}
        """
      Then the rule "sign orders" ran "order signer" once for that event, which succeeded with exactly the parameters:
        """
        {"order_id": 4711}
        """
      And the action received the secret "signing_key" on stdin and as the shell variables "signing_key" and "PARAM_SIGNING_KEY"
      And the secret "signing_key" is in none of the records of that run: its event, its enforcement and its execution

    @requires-service-logs
    Scenario: No service logs a secret: not the requests that set its value, not its delivery, not the run
      Given my pack holds the encrypted secret "db_password" with a value unique to this scenario
      And I give the secret "db_password" a new value unique to this scenario
      And an action "db client" that probes where its secret "db_password" can be seen
      When I run "db client"
      Then the execution succeeds
      And the action received the secret "db_password" on stdin and as the shell variables "db_password" and "PARAM_DB_PASSWORD"
      And no service log mentions any value the secret "db_password" was given

  Rule: An action receives the secrets of its pack and its own, and no one else's

    Scenario: The action's own secret wins over its pack's, a secret wins over a parameter, another pack's secrets stay away
      Given my pack holds the secret "region" with the value "eu-west (the pack)"
      And my pack holds the secret "pack_note" with the value "from the pack"
      And an action "input echo" that runs the shell script:
        """
        jq -cS .
        """
      And the action "input echo" holds the secret "region" with the value "eu-central (the action)"
      And another pack of mine holds the secret "region" with the value "us-east (another pack)"
      And another pack of mine holds the secret "elsewhere" with the value "for another pack only"
      When I run "input echo" with the parameters:
        | region | from the caller |
        | ticket | T-1             |
      Then the execution succeeds
      And the execution printed exactly the line '{"pack_note":"from the pack","region":"eu-central (the action)","ticket":"T-1"}'

    Scenario: An action receives no identity-owned key, neither of the identity that runs it nor of another
      Given another tenant "B" with the same persona
      And I hold the encrypted identity secret "personal_token" with a value unique to this scenario
      And tenant "B" holds the encrypted identity secret "personal_token" with a value unique to this scenario
      And my pack holds the secret "pack_note" with the value "from the pack"
      And an action "input echo" that runs the shell script:
        """
        jq -cS .
        """
      When I run "input echo"
      Then the execution succeeds
      And the execution printed exactly the line '{"pack_note":"from the pack"}'
      And neither my secret "personal_token" nor tenant "B"'s is anywhere in the execution as the API answers it

  Rule: An identity-owned secret belongs to its identity alone

    Scenario: Each identity reads its own identity-owned secret, and the other's is hidden as if it did not exist
      Given another tenant "B" with the same persona
      And I hold the encrypted identity secret "personal_token" with a value unique to this scenario
      And tenant "B" holds the encrypted identity secret "personal_token" with a value unique to this scenario
      Then I read back my secret "personal_token" in clear, marked encrypted and owned by me
      And tenant "B" reads back its secret "personal_token" in clear, marked encrypted and owned by itself
      And reading tenant "B"'s secret "personal_token" as me is answered exactly like reading a key that does not exist
      And reading my secret "personal_token" as tenant "B" is answered exactly like reading a key that does not exist
      And the identity-owned keys I list are exactly my secret "personal_token", and tenant "B"'s exactly its own
