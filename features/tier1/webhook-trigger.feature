@tier1 @webhooks @rules
Feature: Webhook triggers
  Enabling the webhook of a trigger of my own pack MUST give it a key of the form "wh_"
  followed by 32 lower-case hex digits, which enabling it again keeps. Anyone who holds
  the key may post `{"payload": …}` to /api/v1/webhooks/<key> without a token: the post
  is answered 200 with the id of the one event it created, and that event MUST carry
  the posted JSON exactly (deep equality: nested objects, arrays, whole and decimal
  numbers, booleans, null, non-ASCII text; an empty object stays an empty object),
  belong to the trigger and name "webhook" as its source.

  A rule on the trigger MUST run its action once per event with parameters rendered
  from that event's payload: placeholders inside text are filled in as text, and a
  parameter that is one placeholder alone keeps the JSON type of the value it names
  (a number stays a number, an object stays an object, a missing value becomes null).
  Both the enforcement and the execution carry exactly the rendered parameters.

  A post the platform refuses MUST leave no event behind: an unknown key and the old
  key of a disabled webhook (Attune forgets the key) answer 404 with a JSON error
  body, a disabled trigger answers 400 even though its webhook is still enabled.
  "No event" is watched for 1 second (support/timeouts.ts, refusedPostQuiet): the
  reference stack writes the event before it answers the post.

  Catalog: T1.4

  Background:
    Given a pack of my own

  Rule: Enabling a webhook gives the trigger a key of its own

    Scenario: Enabling the webhook of my own trigger gives it a key that enabling again keeps
      Given a trigger "order placed" in my pack
      When I enable the webhook of the trigger "order placed"
      Then the trigger "order placed" has its webhook enabled with a key of "wh_" and 32 lower-case hex digits
      And enabling the webhook of the trigger "order placed" again keeps that key

  Rule: A post to the webhook becomes one event carrying exactly the posted JSON

    Scenario: A nested payload with arrays, numbers, booleans, null and non-ASCII text arrives unchanged
      Given a trigger "order placed" with its webhook enabled
      When the webhook "order placed" receives the payload:
        """
        {
          "event_type": "order.placed",
          "order_id": 90071992547409,
          "total": 1234.5,
          "discount": -0.25,
          "paid": true,
          "gift": false,
          "coupon": null,
          "customer": {"name": "Zoë Ångström", "city": "東京", "note": "ship it 🚚", "tags": ["vip", "repeat"]},
          "items": [
            {"sku": "SKU-1", "qty": 2, "price": 19.99, "options": {"colour": "blue", "sizes": [38, 39]}},
            {"sku": "SKU-2", "qty": 1, "price": 5, "options": {}}
          ],
          "history": [[], [1, 2.5, "three", null, false]]
        }
        """
      Then the webhook answered 200 with the id of the event it created
      And the event is recorded with the payload it received
      And the event belongs to the trigger "order placed" and came in through its webhook

    Scenario: An empty object payload arrives as an empty object
      Given a trigger "ping" with its webhook enabled
      When the webhook "ping" receives the payload:
        """
        {}
        """
      Then the webhook answered 200 with the id of the event it created
      And the event is recorded with the payload it received
      And the event belongs to the trigger "ping" and came in through its webhook

  Rule: A rule on the trigger runs its action with parameters rendered from each event

    Scenario: Placeholders in text are filled in and a placeholder alone keeps its value's type
      Given an action "print order" that runs the shell script:
        """
        printf '%s | count=%s\n' "$message" "$count"
        """
      And a webhook "orders" whose rule "on order" runs "print order" with the parameters:
        """
        {
          "message": "{{ event.payload.user.name }} ordered {{ event.payload.items.0.sku }}",
          "summary": "{{ event.payload.count }} x {{ event.payload.items.0.sku }} for {{ event.payload.total }}",
          "count": "{{ event.payload.count }}",
          "total": "{{ event.payload.total }}",
          "gift": "{{ event.payload.gift }}",
          "first_item": "{{ event.payload.items.0 }}",
          "voucher": "{{ event.payload.voucher }}",
          "fixed": 7
        }
        """
      When the webhook "orders" receives the payload:
        """
        {"user": {"name": "Zoë"}, "items": [{"sku": "SKU-42", "qty": 2}], "count": 3, "total": 19.5, "gift": false}
        """
      Then the rule "on order" ran "print order" once for that event, which succeeded with exactly the parameters:
        """
        {
          "message": "Zoë ordered SKU-42",
          "summary": "3 x SKU-42 for 19.5",
          "count": 3,
          "total": 19.5,
          "gift": false,
          "first_item": {"sku": "SKU-42", "qty": 2},
          "voucher": null,
          "fixed": 7
        }
        """
      And the execution printed exactly the line "Zoë ordered SKU-42 | count=3"

    Scenario: Three posts make exactly three events and three runs, one per event
      Given a webhook "orders" whose rule "on order" runs "core.echo" with the parameters:
        """
        {"message": "order {{ event.payload.order }} for {{ event.payload.user.name }}"}
        """
      When the webhook "orders" receives these payloads, one post after another:
        | payload                                               |
        | {"order": 1, "user": {"name": "Ada"}}                 |
        | {"order": 2, "user": {"name": "Grace"}, "rush": true} |
        | {"order": 3, "user": {"name": "Edsger"}, "items": []} |
      Then the trigger "orders" recorded exactly those 3 events, each with the payload posted
      And each of those events led to exactly one processed enforcement of the rule "on order"
      And each of those enforcements led to exactly one execution of "core.echo"
      And every one of those executions succeeds
      And those are the only executions of the rule "on order"

  Rule: A refused post leaves no event behind

    Scenario: A post to a key that no trigger holds is refused with 404
      Given a trigger "order placed" with its webhook enabled
      When someone posts this payload to a webhook key that no trigger holds:
        """
        {"order": 1}
        """
      Then the post is refused with 404 and the JSON error "Invalid webhook key"
      And the trigger "order placed" records no event

    Scenario: After the webhook is disabled its old key is refused with 404
      Given a trigger "old feed" with its webhook enabled
      And the webhook of the trigger "old feed" has been disabled
      When someone posts this payload to the webhook key of "old feed":
        """
        {"order": 1}
        """
      Then the post is refused with 404 and the JSON error "Invalid webhook key"
      And the trigger "old feed" shows its webhook disabled, without a key
      And the trigger "old feed" records no event

    Scenario: A disabled trigger refuses posts to its still-enabled webhook with 400
      Given a trigger "paused feed" with its webhook enabled
      And the trigger "paused feed" is disabled
      When someone posts this payload to the webhook key of "paused feed":
        """
        {"order": 1}
        """
      Then the post is refused with 400 and a JSON error body
      And the trigger "paused feed" still has its webhook enabled with the same key
      And the trigger "paused feed" records no event
