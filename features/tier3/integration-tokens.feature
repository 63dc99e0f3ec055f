@tier3 @auth @requires-integration-tokens
Feature: Integration-token login
  An administrator MAY issue an identity an integration token
  (POST /api/v1/identities/{id}/integration-tokens with a label and a description): an
  opaque secret `attune_it_…`, shown once in the answer (201), stored only as a hash, and
  described by its first 18 and last 6 characters. POST /auth/token-login with that secret
  MUST answer 200 with a Bearer access token, a refresh token and the token's identity as
  `user`; the session MUST act with that identity's own permissions and nothing more
  (GET /auth/me names the identity and lists its permission sets in
  `assigned_permission_set_refs`).

  A revoked token MUST be refused by /auth/token-login with 401 and a JSON error, and the
  refresh token of a session it opened earlier MUST stop working; an unknown token MUST be
  refused the same way.

  Catalog: T3.22

  Background:
    Given the admin has created an identity "ci-bot" with the permission set "core.viewer"
    And the admin has issued "ci-bot" an integration token labelled "CI deploy bot" described as "deploys from CI"

  Scenario: A token login acts as the token's identity with that identity's permissions
    Then the token was shown once, starts with "attune_it_", and is described by its first 18 and last 6 characters
    And "ci-bot"'s token list holds exactly that token, active and never used, without its secret
    When "ci-bot" logs in with the integration token
    Then the answer is 200 with a Bearer access token, a refresh token and "ci-bot" as the user
    And "ci-bot"'s token list shows that token used
    And in that session /auth/me names "ci-bot" with the permission sets "core.viewer"
    And in that session the pack list holds core and the action list holds core.echo
    And in that session listing the identities is answered 403 with a JSON error

  Scenario: A revoked token no longer logs in, and its session no longer refreshes
    Given "ci-bot" has logged in with the integration token
    When the admin revokes that token giving the reason "rotated"
    Then the token is listed as revoked, inactive, with the reason "rotated"
    And logging in with that token is answered 401 with a JSON error
    And refreshing the session it opened is answered 401 with a JSON error

  Scenario: An unknown token is refused
    When someone logs in with an integration token that was never issued
    Then the answer is 401 with a JSON error
