@tier3 @webhooks @rules
Feature: Large integers in webhook payloads stay exact
  A JSON integer in a webhook payload MUST reach every record of the automation digit for
  digit, however large: the event's payload (GET /api/v1/events/{id}), the parameters a rule
  renders from it (the enforcement's and the execution's `config`) and the input document the
  action reads on stdin. Attune parses payloads with serde_json and stores them as jsonb, so
  9007199254740993 (2^53 + 1), the 64-bit extremes -9223372036854775808 and
  9223372036854775807 and the largest unsigned 64-bit integer 18446744073709551615 come back
  as posted; a platform that read them as double-precision numbers would round them (2^53 + 1
  to 2^53, -2^63 to -9223372036854776000). Small integers and decimals stay what they are.
  The suite reads these answers with a lossless JSON parser (support/json-text.ts), since its
  own JSON.parse would round them too and so could not see the difference.

  Catalog: T1.4 (payload keys echoed exactly, here for integers beyond 2^53, which lost
  precision on the reference stack: the project's reliability issue)

  Background:
    Given a pack of my own
    And an action "echo input" that prints JSON from the shell script:
      """
      cat
      """

  Scenario: Integers beyond 2^53 travel from the post to the action's input unchanged
    Given a webhook "ledger" whose rule "book entry" runs "echo input" with the parameters:
      """
      {
        "entry": "{{ event.payload }}",
        "id": "{{ event.payload.id }}",
        "lowest": "{{ event.payload.limits.0 }}",
        "label": "entry {{ event.payload.id }} of {{ event.payload.limits.2 }}"
      }
      """
    When the webhook "ledger" receives the payload:
      """
      {
        "id": 9007199254740993,
        "limits": [-9223372036854775808, 9223372036854775807, 18446744073709551615],
        "nested": {"safe": 9007199254740991, "small": 42, "ratio": 0.5}
      }
      """
    Then the webhook answered 200 with the id of the event it created
    And the event is recorded with the payload it received
    And the rule "book entry" ran "echo input" once for that event, and the enforcement, the execution and the input the action printed hold, digit for digit:
      """
      {
        "entry": {
          "id": 9007199254740993,
          "limits": [-9223372036854775808, 9223372036854775807, 18446744073709551615],
          "nested": {"safe": 9007199254740991, "small": 42, "ratio": 0.5}
        },
        "id": 9007199254740993,
        "lowest": -9223372036854775808,
        "label": "entry 9007199254740993 of 18446744073709551615"
      }
      """
