@tier3 @notifications @rules @webhooks @requires-notifier
Feature: Live notifications about the enforcements of my rules
  A tenant watching the notifier (subscribed to `entity_type:enforcement`) MUST be told about
  each enforcement its rules make, as it happens: one `enforcement_created` frame when a rule
  acts on an event (status `created`), then one `enforcement_status_changed` frame when the
  executor has processed it (status `processed`), in that order. Each frame MUST carry the ids
  that link it, exactly as the API reports them: the enforcement's id (`entity_id` and
  `payload.id`), its rule (`payload.rule`, `payload.rule_ref`), the trigger
  (`payload.trigger_ref`) and the event the post created (`payload.event`). Several rules on one
  trigger make one enforcement each for the same event, so one post MUST give one pair of frames
  per rule, all naming that event. An event that no rule's conditions hold for MUST still be
  recorded, and MUST NOT give any enforcement frame.

  Exactly means no frame beyond those: once the expected frames arrived the connection is watched
  for 1.5 s more, and a post that enforces nothing is watched for the same 1.5 s
  (support/timeouts.ts, criteriaMissQuiet: on the reference stack an enforcement followed its
  event within 5-214 ms, median 20 ms, so a surplus or unwanted enforcement shows up well inside
  the window; the notifier relays it within milliseconds of its commit).

  Another tenant watching EVERYTHING (`all`) MUST receive none of these frames, nor the frames of
  my events or runs: it hears only about its own things. Its own run completing reaching it
  proves its connection works; it then stays silent about mine for 1 s (foreignNotificationQuiet:
  the notifier writes a frame to every entitled connection in the same pass, so a leaked one
  arrives within milliseconds of mine on the same host).

  Catalog: T3.16

  Background:
    Given a pack of my own
    And another tenant "B" with the same persona
    And tenant "B" is watching all notifications
    And I am watching enforcement notifications

  Scenario: One post to my webhook: I am told its enforcement was created, then processed, with the rule and the event
    Given a webhook "doorbell" whose rule "announce" runs "core.echo" with the parameters:
      """
      {"message": "ring from {{ event.payload.door }}"}
      """
    When the webhook "doorbell" receives the payload:
      """
      {"door": "front"}
      """
    And tenant "B" runs "core.echo" with the parameters:
      | message | hello from B |
    Then I am notified about the enforcement of each rule on "doorbell" for that event, in this order:
      | notification               | status    |
      | enforcement_created        | created   |
      | enforcement_status_changed | processed |
    And tenant "B" is notified that their own run completed
    And tenant "B" hears nothing about my events or enforcements, nor anything else that is not theirs

  Scenario: One post to a webhook with three rules: I am told of one enforcement per rule, all for that event
    Given a webhook "harvest" with these rules, each running "core.echo" with its message:
      | rule        | message       |
      | pick first  | first picked  |
      | pick second | second picked |
      | pick third  | third picked  |
    When the webhook "harvest" receives the payload:
      """
      {"batch": "B-7"}
      """
    And tenant "B" runs "core.echo" with the parameters:
      | message | hello from B |
    Then I am notified about the enforcement of each rule on "harvest" for that event, in this order:
      | notification               | status    |
      | enforcement_created        | created   |
      | enforcement_status_changed | processed |
    And tenant "B" is notified that their own run completed
    And tenant "B" hears nothing about my events or enforcements, nor anything else that is not theirs

  Scenario: A post my rule's conditions do not hold for is recorded, and no enforcement frame reaches me
    Given a webhook "alerts" whose rule "production only" runs "core.echo" with the conditions:
      """
      {"expression": "event.payload.environment == 'production'"}
      """
    When the webhook "alerts" receives the payload:
      """
      {"environment": "development"}
      """
    And tenant "B" runs "core.echo" with the parameters:
      | message | hello from B |
    Then the trigger "alerts" recorded exactly that one event
    And no enforcement frame reaches me
    And tenant "B" is notified that their own run completed
    And tenant "B" hears nothing about my events or enforcements, nor anything else that is not theirs
