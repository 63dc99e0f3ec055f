@tier3 @notifications @auth @isolation @requires-notifier
Feature: Who may listen to the notifier, and what each listener hears
  The notifier's WebSocket MUST only be opened with a token that stands for an existing
  identity, given at the upgrade as `Authorization: Bearer <jwt>` or, for browsers, as the
  subprotocol pair `attune.v1` + `attune.jwt.<jwt>` (the server then selects `attune.v1`).
  Anything else MUST be refused at the upgrade with HTTP 401 and a JSON error naming why:
  `missing_token` without a token (a token in the query string is not read),
  `invalid_or_expired_token` for a malformed token, an expired one or the token of an
  identity deleted since it was issued, `refresh_tokens_not_allowed` for a refresh token. A
  connection whose token expires while it is open MUST be closed with code 4401 "token
  expired" (Attune checks every 30 s: tokenExpiryClose allows 35 s).

  A listener MUST only hear about what its identity may read: another tenant subscribed to
  everything (`all`) and to my run by its id MUST receive no frame about my run, nor anything
  that is not theirs, for 1 s after I heard my run's last frame (foreignNotificationQuiet:
  the notifier writes a frame to every entitled connection in one pass, so a leaked one would
  arrive within milliseconds of mine), while I hear every frame of it.

  A subscription to another identity's notifications (`user:<their id>`), or to an entity
  type the listener holds no read grant for (`entity_type:execution` without
  `executions:read`), MUST be answered with one error frame "Unauthorized to subscribe to
  requested filter" (within 3 s, websocketWelcome), and the connection MUST stay open.

  Catalog: T3.23

  Rule: Only a token that stands for an existing identity opens the connection

    Scenario Outline: Refused at the upgrade: <case>
      When I open a notifier connection <how>
      Then the upgrade is refused with HTTP 401 and the JSON error "<error>"

      Examples:
        | case                    | how                                                  | error                      |
        | no token                | without any token                                    | missing_token              |
        | a malformed token       | with the bearer token "invalid.token.value"          | invalid_or_expired_token   |
        | a refresh token         | with my refresh token                                | refresh_tokens_not_allowed |
        | a query-string token    | with my access token in the query string only        | missing_token              |

    Scenario: A browser's subprotocol pair is accepted, and attune.v1 is selected
      When I open a notifier connection offering my access token as the subprotocol "attune.jwt."
      Then the notifier welcomes me on the subprotocol "attune.v1"

    @requires-token-signing
    Scenario: A token signed by the platform is refused once its expiry has passed, and welcomed before
      When I open a notifier connection with a token of mine signed with the platform's key that expired 60 seconds ago
      Then the upgrade is refused with HTTP 401 and the JSON error "invalid_or_expired_token"
      When I open a notifier connection with a token of mine signed with the platform's key that expires in 60 seconds
      Then the notifier welcomes me on the subprotocol "attune.v1"

    @requires-token-signing
    Scenario: An open connection is closed with 4401 when its token expires
      Given I am watching execution notifications with a token of mine signed with the platform's key that expires in 2 seconds
      Then the notifier closes my connection with code 4401 "token expired" once that token has expired

    Scenario: The token of a deleted identity is refused, though it is signed and has not expired
      Given an identity "leaver" whose access token the notifier welcomes
      When the administrator deletes the identity "leaver"
      And "leaver" opens a notifier connection again with that same access token
      Then the upgrade is refused with HTTP 401 and the JSON error "invalid_or_expired_token"

  Rule: A listener subscribes only to what it may read

    Scenario: Subscribing to another tenant's user id is answered with an error frame
      Given another tenant "B" with the same persona
      And I am watching execution notifications
      When I subscribe to the notifications of tenant "B" by their user id
      Then I am answered with exactly one error frame: "Unauthorized to subscribe to requested filter"

    Scenario: An identity without any grant may not subscribe to executions
      Given an identity "newcomer" that holds no permission set is watching the notifier
      When "newcomer" subscribes to "entity_type:execution"
      Then "newcomer" is answered with exactly one error frame: "Unauthorized to subscribe to requested filter"

  Rule: One tenant's frames never reach another

    Scenario: Tenant B listening to everything and to my run by its id hears nothing of it, while I hear all of it
      Given an action "slow greeter" that runs the shell script:
        """
        sleep 1
        echo "hello from A"
        """
      And another tenant "B" with the same persona
      And tenant "B" is watching all notifications
      And I am watching execution notifications
      When I run "slow greeter"
      And tenant "B" also listens for my run by its id
      And tenant "B" runs "core.echo" with the parameters:
        | message | hello from B |
      Then I am notified of each status of that run exactly once, in order: requested → scheduling → scheduled → running → completed
      And tenant "B" is notified that their own run completed
      And tenant "B" hears nothing about my run, nor anything else that is not theirs
