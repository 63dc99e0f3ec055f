@tier3 @executions @disruptive @serial @requires-infra-control @requires-service-control
Feature: The platform rides out broker and database restarts by itself
  When the message broker or the database restarts under it, every service MUST reconnect by
  itself, in its own process: no service is restarted, and the platform MUST report ready again
  without anyone's help. Work MUST come out whole: every webhook post accepted around a broker
  or database restart leads to exactly one processed enforcement and exactly one execution, each
  of which succeeds; none is lost and none is doubled. After a database restart new work MUST run
  again, and a client watching the notifier MUST keep hearing about it on the connection it
  already had. While the database is away, the platform MUST say it is not ready and the
  notifier MUST say it is not listening, rather than report all is well while it hears nothing.

  These drills restart the target's broker and database through the run's infrastructure
  control, which the run is given only when those servers are its own (npm test: under CI=true;
  docs/decisions.md "Broker and database outages"), so they run alone (@serial).

  Catalog: T3.12 (the broker and database drills of its reliability work); README example 1 (the chain they keep whole)

  Background:
    Given a pack of my own

  Scenario: A burst of webhook posts around a broker restart runs each post exactly once
    Given a webhook "orders" whose rule "on order" runs "core.echo" with the parameters:
      """
      {"message": "order {{ event.payload.n }}"}
      """
    When the webhook "orders" receives 100 numbered payloads at once
    And the message broker restarts
    And the webhook "orders" receives 100 more numbered payloads at once
    Then the trigger "orders" recorded exactly those 200 events, each with the payload posted
    And each of those events led to exactly one processed enforcement of the rule "on order"
    And each of those enforcements led to exactly one execution of "core.echo"
    And every one of those executions succeeds
    And those are the only executions of the rule "on order"
    And every service rode the outage out without being restarted

  Scenario: Work in flight across a database restart runs exactly once, and a watching client keeps hearing of new work
    Given a webhook "orders" whose rule "on order" runs "core.echo" with the parameters:
      """
      {"message": "order {{ event.payload.n }}"}
      """
    And I am watching execution notifications
    When the webhook "orders" receives 60 numbered payloads at once
    And the database restarts
    Then the trigger "orders" recorded exactly those 60 events, each with the payload posted
    And each of those events led to exactly one processed enforcement of the rule "on order"
    And each of those enforcements led to exactly one execution of "core.echo"
    And every one of those executions succeeds
    When I run "core.echo" with the parameters:
      | message | after the database came back |
    Then the execution succeeds
    And I am notified that my run completed
    And every service rode the outage out without being restarted

  Scenario: While the database is away the platform and its notifier say so, and work runs again once it is back
    Given I am watching execution notifications
    When the database goes away
    Then the platform reports that it is not ready because of its database
    And the notifier reports that it is not listening
    When the database comes back
    And I run "core.echo" with the parameters:
      | message | after the database was away |
    Then the execution succeeds
    And I am notified that my run completed
    And every service rode the outage out without being restarted
