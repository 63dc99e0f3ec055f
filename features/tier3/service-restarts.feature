@tier3 @executions @disruptive @serial @requires-service-control
Feature: Nothing is lost or doubled when a service restarts
  Any one of the platform's services MUST be able to stop and start again while the rest keep
  going, and the automation chain MUST come out whole: every event recorded while a service
  was away leads, once it is back, to exactly one processed enforcement per matching rule and
  exactly one execution per enforcement; no event, enforcement or execution is lost and none
  is doubled. A restarted sensor MUST resume its timers on their schedule (and only once: no
  second timer beside the first). A restarted notifier MUST serve the clients that connect to
  it afterwards.

  These drills stop and start services of the target through the run's service control, so
  they run alone (@serial); cleanup starts every service again.

  Catalog: T3.12 (its restart drills); README example 1 (the chain they keep whole)

  Background:
    Given a pack of my own

  Scenario: Webhook posts around an executor restart each run exactly once
    Given a webhook "orders" whose rule "on order" runs "core.echo" with the parameters:
      """
      {"message": "order {{ event.payload.n }}"}
      """
    When the webhook "orders" receives 10 numbered payloads at once
    And the executor service is stopped
    And the webhook "orders" receives 4 more numbered payloads
    And the executor service is started
    And the webhook "orders" receives 4 more numbered payloads
    Then the trigger "orders" recorded exactly those 18 events, each with the payload posted
    And each of those events led to exactly one processed enforcement of the rule "on order"
    And each of those enforcements led to exactly one execution of "core.echo"
    And every one of those executions succeeds
    And those are the only executions of the rule "on order"

  Scenario: An interval timer keeps its schedule across a sensor restart
    Given a rule "beat" that runs "core.echo" every 1 second with the parameters:
      | message | beat at {{ event.payload.fired_at }} |
    And the rule "beat" has fired 2 times
    When the sensor service is restarted
    And the rule "beat" has fired 3 more times
    Then those events are 1 second apart
    And each of those events led to exactly one processed enforcement of the rule "beat"
    And each of those enforcements led to exactly one execution of "core.echo"
    And every one of those executions succeeds
    And no two events of the rule "beat" came less than 750 milliseconds apart

  Scenario: Clients that connect after a notifier restart are notified again
    Given the notifier service is restarted
    And I am watching execution notifications
    When I run "core.echo" with the parameters:
      | message | after the restart |
    Then the execution succeeds
    And I am notified that my run completed
