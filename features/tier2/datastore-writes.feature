@tier2 @datastore
Feature: Actions write to the datastore with their execution token
  An action calls the API with its own execution token: `$ATTUNE_API_TOKEN`, at
  `$ATTUNE_API_URL`, both in its environment. The token MUST act as the identity that ran
  the action, exactly as that identity's own login would (docs/decisions.md, "Execution
  tokens"). So an action MUST be able to store a key for that identity, and the key MUST
  read back exactly the value the action sent (a string, a number, an object with nested
  objects and arrays: deep equality). A key an action stores encrypted MUST be kept only
  as ciphertext (the storage format of features/tier1/datastore.feature) and MUST read
  back in clear, marked encrypted, both through the API and inside an action.

  Keys carry data between the tasks of a workflow: a task that writes a key and a later
  task that reads it with its own execution token MUST pass the value on unchanged; the
  reading task prints the value as JSON and its parsed output (`result.data`) MUST be that
  value exactly, nested objects and arrays included.

  The token MUST NOT reach beyond its identity: another tenant's key is hidden from it,
  so reading, changing or deleting that key answers 404, exactly like a key that does not
  exist; storing a key in the other tenant's name answers 403 (creating is not a read of
  anything hidden: the permission to create keys for that owner is what is missing).
  The other tenant's key keeps its value and is its only key.

  Catalog: T2.3

  Background:
    Given a pack of my own
    And an action "key writer" that runs the shell script:
      """
      params=$(cat)
      body=$(printf '%s' "$params" | jq -c '{ref: .key_ref, name: .key_name, value: .value, encrypted: (.encrypted // false), owner_type: "identity", owner_identity: .owner_identity}')
      status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $ATTUNE_API_TOKEN" -H 'Content-Type: application/json' --data "$body" "$ATTUNE_API_URL/api/v1/keys")
      echo "stored: HTTP $status"
      [ "$status" = 201 ]
      """
    And an action "key reader" that prints JSON from the shell script:
      """
      key_ref=$(jq -r .key_ref)
      reply=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $ATTUNE_API_TOKEN" "$ATTUNE_API_URL/api/v1/keys/$key_ref")
      status=${reply##*$'\n'}
      if [ "$status" != 200 ]; then echo "reading $key_ref answered HTTP $status" >&2; exit 1; fi
      printf '%s' "${reply%$'\n'*}" | jq -c .data.value
      """

  Rule: A key an action stores reads back exactly the value it sent

    Scenario Outline: An action stores a <kind> value under my identity and it reads back exactly
      When I run "key writer" to store my key "<key>" with the JSON value:
        """
        <value>
        """
      Then the execution succeeds
      And the execution printed exactly the line "stored: HTTP 201"
      And the key "<key>" reads back exactly the value I gave it, unencrypted

      Examples:
        | kind   | key         | value                                                                                                          |
        | string | greeting    | "written by an action: Zoë, 東京 ✓"                                                                            |
        | number | answer      | 1234.5                                                                                                         |
        | object | service map | {"endpoint": {"url": "https://api.example.com", "ports": [80, 443]}, "tags": ["eu", {"tier": 2}], "owner": null} |

  Rule: A workflow passes data from one task to the next through a key

    Scenario: One task writes a key and the next reads it with its own token, value for value
      Given a workflow "hand over" with the definition:
        """
        version: "1.0.0"
        tasks:
          - name: write
            action: key writer
            input:
              key_ref: "{{ parameters.key_ref }}"
              key_name: "{{ parameters.key_name }}"
              owner_identity: "{{ parameters.owner_identity }}"
              value: "{{ parameters.value }}"
            next:
              - when: "{{ succeeded() }}"
                do: [read]
          - name: read
            action: key reader
            input:
              key_ref: "{{ parameters.key_ref }}"
        """
      When I run the workflow "hand over" to pass my key "handover note" with the JSON value:
        """
        {"batch": 17, "ready": true, "files": [{"name": "a.csv", "rows": 120}, {"name": "b.csv", "rows": 0}], "stats": {"mean": 2.5, "tags": []}}
        """
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task  | status    |
        | write | completed |
        | read  | completed |
      And the task "read" printed the value of my key "handover note" as JSON, and its result data is exactly that value

  Rule: A key an action stores encrypted is sealed at rest and reads back in clear

    @requires-database
    Scenario: A secret stored by an action is ciphertext in the database and clear text to its owner and its actions
      When I run "key writer" to store my encrypted key "vault token" with the JSON value:
        """
        {"token": "tok-7Qx9-from-an-action", "scopes": ["read", "write"]}
        """
      Then the execution succeeds
      And the database holds the key "vault token" sealed, with no trace of its clear value
      And the key "vault token" reads back exactly the value I gave it in clear, marked encrypted
      When I run "key reader" with "key_ref" set to the ref of my key "vault token"
      Then the execution succeeds
      And the execution printed the value of my key "vault token" as JSON, and its result data is exactly that value

  Rule: An execution token reaches only its own identity's keys

    Scenario: My action can neither read, change, delete nor plant keys of another tenant
      Given another tenant "B" with the same persona
      And tenant "B" stores the key "their note" with the value "for B's eyes only"
      And an action "key meddler" that runs the shell script:
        """
        params=$(cat)
        key_ref=$(printf '%s' "$params" | jq -r .key_ref)
        planted=$(printf '%s' "$params" | jq -c '{ref: .new_ref, name: "planted", value: "planted by another tenant", owner_type: "identity", owner_identity: .owner_identity}')
        api() { curl -s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer $ATTUNE_API_TOKEN" -H 'Content-Type: application/json' ${3:+--data "$3"} "$ATTUNE_API_URL/api/v1/keys$2"; }
        echo "read: $(api GET "/$key_ref")"
        echo "change: $(api PUT "/$key_ref" '{"value": "overwritten by another tenant"}')"
        echo "delete: $(api DELETE "/$key_ref")"
        echo "store in its owner's name: $(api POST '' "$planted")"
        """
      When I run "key meddler" on tenant "B"'s key "their note"
      Then the execution succeeds
      And the execution printed exactly:
        """
        read: 404
        change: 404
        delete: 404
        store in its owner's name: 403
        """
      And tenant "B" still reads back exactly the value of its key "their note"
      And tenant "B"'s key list holds exactly its key "their note"
