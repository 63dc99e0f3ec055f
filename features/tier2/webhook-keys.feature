@tier2 @webhooks @rules
Feature: Regenerating a webhook key
  Regenerating the key of a trigger's enabled webhook
  (POST /api/v1/triggers/<ref>/webhooks/regenerate) MUST answer 200 with the trigger,
  its webhook still enabled and a new key of the form "wh_" followed by 32 lower-case
  hex digits, different from the old one; reading the trigger back shows the same key.

  The old key MUST stop working at once: as in Attune, where the trigger is looked up
  by its key, a post to it is refused with 404 and the JSON error "Invalid webhook key",
  and it leaves no event (watched for 1 second, support/timeouts.ts, refusedPostQuiet).
  A post to the new key MUST create the event and run the rules on the trigger.

  A trigger whose webhook is not enabled has no key to regenerate: the call MUST be
  refused with 400 and a JSON error body, and the trigger stays without a key.

  Catalog: no catalog id (the catalog's webhook scenarios, T1.4, enable, post and disable; none regenerates a key)

  Background:
    Given a pack of my own

  Scenario: After regenerating, the old key is refused and the new key runs the rule
    Given a webhook "orders" whose rule "on order" runs "core.echo" with the parameters:
      """
      {"message": "order {{ event.payload.order }}"}
      """
    When I regenerate the webhook key of the trigger "orders"
    Then the answer shows the webhook of "orders" enabled with a new key of "wh_" and 32 lower-case hex digits, not the old one, and the trigger reads back the same
    When someone posts this payload to the old webhook key of "orders":
      """
      {"order": 1}
      """
    Then the post is refused with 404 and the JSON error "Invalid webhook key"
    And the trigger "orders" records no event
    When the webhook "orders" receives the payload:
      """
      {"order": 2}
      """
    Then the webhook answered 200 with the id of the event it created
    And the event is recorded with the payload it received
    And the event belongs to the trigger "orders" and came in through its webhook
    And the rule "on order" ran "core.echo" once for that event, which succeeded with exactly the parameters:
      """
      {"message": "order 2"}
      """

  Scenario: A trigger without an enabled webhook has no key to regenerate
    Given a trigger "quiet feed" in my pack
    When I try to regenerate the webhook key of the trigger "quiet feed"
    Then regenerating is refused with 400 and a JSON error body
    And the trigger "quiet feed" still has its webhook disabled, without a key
