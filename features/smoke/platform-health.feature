@smoke @auth
Feature: Platform health and signing in
  The Attune under test MUST report its health without authentication, and its API
  MUST serve only callers that prove who they are.

  An identity MUST be able to register, sign in with its password, see itself as the
  current user, and keep its session alive with its refresh token. A wrong password
  and a request without a token MUST both be refused as unauthenticated (401) with a
  JSON error body, never with a crash or an HTML page.

  The platform MUST report ready (GET /health/ready answers 200) only when it can run an
  action right away: its database answers, its executor takes execution requests and at
  least one worker is active with a fresh heartbeat. While no worker can take work it MUST
  answer 503 saying so, because a caller that trusts "ready" and posts an execution would
  otherwise see it fail at once with "No worker available" (the execution is unschedulable).

  Catalog: no catalog id (every catalog test assumes a healthy, signed-in client; the auth
  contract is ../shared/spec/attune-api-contract.md §4, readiness docs/decisions.md).

  Rule: The platform reports its health to anyone

    Scenario: The API says it is healthy
      When the platform's health is checked
      Then the platform reports that it is healthy

  Rule: The platform reports ready only when it can run an action right away

    Scenario: A platform that reports ready runs an action right away
      Given the platform reports that it is ready
      When I run "core.echo" with the parameters:
        | message | ready and running |
      Then the execution succeeds

    @disruptive @serial @requires-service-control
    Scenario: The platform reports ready only when a worker can take work
      Given the worker service is stopped
      Then the platform reports that it is not ready because no worker can take work
      When the worker service is started
      Then the platform reports that it is ready
      When I run "core.echo" with the parameters:
        | message | a worker is back |
      Then the execution succeeds

  Rule: Identities sign in with a password and keep their session with a refresh token

    Scenario: A newcomer registers, signs in, and refreshes the session
      When a newcomer registers an account
      Then the newcomer holds an access token and a refresh token
      When the newcomer signs in with their password
      Then the newcomer sees themselves as the current user
      When the newcomer refreshes their session
      Then the refreshed access token is accepted
      And the newcomer sees themselves as the current user

    Scenario: A wrong password is refused
      Given a newcomer registers an account
      When the newcomer signs in with a wrong password
      Then the request is refused as unauthenticated

  Rule: Protected routes refuse anonymous callers

    Scenario: Asking who I am without a token is refused
      When someone without a token asks who the current user is
      Then the request is refused as unauthenticated
