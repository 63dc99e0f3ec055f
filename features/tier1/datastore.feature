@tier1 @datastore @secrets
Feature: Datastore: keys and secrets
  The datastore keeps named values, "keys", for their owner. A key MUST hold any JSON
  value (a string, or objects, arrays, numbers, booleans and null nested in any way) and
  MUST give back exactly that value, deep-equal, until it is changed or deleted. A change
  MUST show on the next read and move the key's update time forward. A deleted key, like
  a key that never existed, MUST be answered 404 with a JSON error body.

  A key stored with `encrypted: true` MUST read back in clear through the API, marked
  encrypted, and MUST NOT be kept in clear. The database holds a JSON string of base64
  (AES-256-GCM, Attune's storage format). It decodes to exactly 28 bytes more than the
  value's JSON text: a 12-byte nonce, the ciphertext, which is as long as the text, and a
  16-byte tag. No piece of any value the key ever held, of 6 characters or more, may
  appear in the stored text or its decoded bytes. Beside the value the database keeps the
  SHA-256 of the encryption key, as 64 hex digits.

  A key created with `ttl_seconds` MUST read back at once. When its time is up it MUST
  be gone: reading it answers 404 and it is no longer in its owner's key list. The TTL is
  this project's documented addition (docs/decisions.md), so those scenarios need the
  `key-ttl` capability. The wait is bounded by the TTL plus `keyExpiryMargin` (3 s,
  support/timeouts.ts). The reference stack stops serving the key at the exact instant:
  over 10 runs a 1 s key was gone 1005-1084 ms after its creation was answered.

  Actions use the datastore in two ways:
  - An action calls the API with its own execution token (`$ATTUNE_API_TOKEN` at
    `$ATTUNE_API_URL`), which acts as the identity that ran it. So the action reads that
    identity's keys and, exactly like that identity, gets 404 for another tenant's key.
  - The keys of an action's pack are secrets handed to that action. Each arrives
    decrypted as a top-level input named by the key's `name`, in the parameter document
    on stdin. It MUST NOT appear in the action's environment, or anywhere in the
    execution's record: not in its parameters, and not in its output.

  Catalog: T1.6

  Rule: A key gives back exactly the value it holds, until it is changed or deleted

    Scenario: A plain string key is stored, read, changed and deleted
      Given I store the key "api endpoint" with the value "https://api.example.com/v1"
      Then the key "api endpoint" reads back exactly the value I gave it, unencrypted
      When I change the key "api endpoint" to the value "https://api.example.com/v2"
      Then the key "api endpoint" reads back exactly the value I gave it, unencrypted
      And the update time of the key "api endpoint" moved forward with the change
      When I delete the key "api endpoint"
      Then the key "api endpoint" is not found

    Scenario: A change to null is refused and the key keeps its value
      Given I store the key "api endpoint" with the value "https://api.example.com/v1"
      Then changing the key "api endpoint" to null is refused with 422, the error naming "value"
      And the key "api endpoint" reads back exactly the value I gave it, unencrypted

    Scenario: A nested JSON key keeps its structure and its types through a change
      Given I store the key "service settings" with the JSON value:
        """
        {
          "endpoint": {"url": "https://api.example.com", "timeout_s": 30},
          "retry": {"max_attempts": 3, "backoff_s": [1, 2, 4], "jitter": false},
          "limits": {"rate_limit": 1000, "burst": null, "ratio": 0.25},
          "tags": ["production", "eu-west"],
          "enabled": true
        }
        """
      Then the key "service settings" reads back exactly the value I gave it, unencrypted
      When I change the key "service settings" to the JSON value:
        """
        [{"stage": "canary", "weight": 5}, {"stage": "stable", "weight": 95}, [], "frozen", 0, false]
        """
      Then the key "service settings" reads back exactly the value I gave it, unencrypted
      And the update time of the key "service settings" moved forward with the change
      When I delete the key "service settings"
      Then the key "service settings" is not found

    Scenario: An encrypted key reads back in clear, marked encrypted, through a change
      Given I store the encrypted key "database login" with the JSON value:
        """
        {"user": "svc_reports", "password": "Tr0ub4dor&3", "port": 5432, "tls": true}
        """
      Then the key "database login" reads back exactly the value I gave it in clear, marked encrypted
      When I change the key "database login" to the JSON value:
        """
        {"user": "svc_reports", "password": "correct horse battery staple", "port": 5433, "tls": false}
        """
      Then the key "database login" reads back exactly the value I gave it in clear, marked encrypted
      And the update time of the key "database login" moved forward with the change
      When I delete the key "database login"
      Then the key "database login" is not found

    Scenario: A key that was never stored is not found, beside one that was
      Given I store the key "present" with the value "here"
      Then the key "never stored" is not found
      And the key "present" reads back exactly the value I gave it, unencrypted

  Rule: An encrypted key is kept sealed at rest

    @requires-database
    Scenario: The database holds an encrypted key only as ciphertext, also after a change
      Given I store the encrypted key "payment token" with the value "sk_live_51HqLyjWDarjtT1zdp7dc"
      Then the database holds the key "payment token" sealed, with no trace of its clear value
      When I change the key "payment token" to the value "sk_live_rotated_9Xk2mQ7vB3"
      Then the database holds the key "payment token" sealed, with no trace of its clear value
      And the key "payment token" reads back exactly the value I gave it in clear, marked encrypted

  Rule: A key with a time to live is gone once its time is up

    @requires-key-ttl
    Scenario: A key that lives one second reads back at once, then is gone
      Given I store the key "session nonce" with the value "n-7f3a9c" and a time to live of 1 second
      Then the key "session nonce" reads back exactly the value I gave it, unencrypted
      And my key list holds the key "session nonce"
      And once its time is up the key "session nonce" is not found and is gone from my key list

  Rule: An action reads keys through the API as the identity that ran it

    Background:
      Given an action "key reader" that runs the shell script:
        """
        key_ref=$(jq -r .key_ref)
        reply=$(curl -sf -w '\n%{http_code}' -H "Authorization: Bearer $ATTUNE_API_TOKEN" "$ATTUNE_API_URL/api/v1/keys/$key_ref")
        status=${reply##*$'\n'}
        if [ "$status" = 200 ]; then printf '%s' "${reply%$'\n'*}" | jq -r .data.value; else echo "HTTP $status"; fi
        """

    Scenario: An action reads my key with its own execution token
      Given I store the key "greeting" with the value "hello from the datastore"
      When I run "key reader" with "key_ref" set to the ref of my key "greeting"
      Then the execution succeeds
      And the execution printed exactly the line "hello from the datastore"

    Scenario: An action I run cannot read another tenant's key
      Given another tenant "B" with the same persona
      And tenant "B" stores the key "their note" with the value "for B's eyes only"
      When I run "key reader" with "key_ref" set to the ref of tenant "B"'s key "their note"
      Then the execution succeeds
      And the execution printed exactly the line "HTTP 404"
      And tenant "B" still reads back exactly the value of its key "their note"

  Rule: A pack's secrets reach its actions as input, never as environment

    Scenario: A pack's encrypted secret arrives decrypted as a named input and nowhere else
      Given my pack holds the encrypted secret "db_password" with the value "Tr0ub4dor&3-e2e-secret"
      And an action "secret user" that runs the shell script:
        """
        secret=$(jq -j .db_password)
        printf '%s' "$secret" | sha256sum | cut -d ' ' -f 1
        echo "variables in my environment:"
        env | cut -d '=' -f 1
        echo "environment lines holding the value I received:"
        env | grep -F -e "$secret" || true
        """
      When I run "secret user"
      Then the execution succeeds
      And the first line the execution printed is the SHA-256 of the secret "db_password"
      And the secret "db_password" is in neither the execution's environment nor its record
