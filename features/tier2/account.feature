@tier2 @auth
Feature: My account
  A signed-in identity MUST be able to manage its own account without an administrator.

  Changing the password (POST /auth/change-password with the current and the new password) MUST
  answer 200 with the success note "Password changed successfully"; from then on the old password
  MUST be refused (401 "Invalid login or password") and the new one accepted. A wrong current
  password MUST be answered 401 "Invalid current password" and change nothing.

  PUT /auth/me MUST set the caller's display name with surrounding blanks removed, and an empty or
  blank name MUST clear it; it answers the caller as GET /auth/me does.

  GET /auth/logout ends a browser session: it MUST answer 307 to /login and expire every cookie it
  sets. Bearer tokens are stateless: API clients end a session by dropping their tokens.

  GET /auth/settings (no token needed) MUST say which sign-in methods are on. A sign-in method
  that is off MUST be answered 501 with a JSON error, as Attune answers an identity provider that
  is not configured: OIDC (GET /auth/oidc/login, GET /auth/callback) and LDAP
  (POST /auth/ldap/login).

  Catalog: no catalog id (the catalog's client only ever signs in and refreshes); the rules are
  those of Attune 0.2.1's /auth routes.

  Rule: Passwords

    Scenario: Changing my password retires the old one
      Given an identity "kim" who signed up with a password
      When "kim" changes her password
      Then the answer is the success note "Password changed successfully"
      And "kim" signing in with her old password is answered 401 with the JSON error "Invalid login or password"
      And "kim" signs in with her password and is named as the current user

    Scenario: A wrong current password changes nothing
      Given an identity "lou" who signed up with a password
      When "lou" tries to change his password giving a wrong current password
      Then the answer is 401 with the JSON error "Invalid current password"
      And "lou" signs in with his password and is named as the current user

  Rule: Profile and session

    Scenario: I set my display name, and clear it with a blank one
      Given an identity "max" who signed up with a password
      When "max" sets his display name to "  Night Shift  "
      Then the current user of "max" is a local identity that can change its password, named "Night Shift"
      And the admin reads "max" with the display name "Night Shift"
      When "max" sets his display name to "   "
      Then the current user of "max" is a local identity that can change its password, with no display name

    Scenario: Logging out of a browser session sends the browser to the login page
      When a browser logs out
      Then the answer is a 307 redirect to "/login" that expires every cookie it sets

  Rule: Sign-in methods

    @requires-local-sign-in-only
    Scenario: Only local passwords are on, and single sign-on answers that it is not configured
      When anyone reads the authentication settings
      Then they say:
        | setting                   | value |
        | authentication_enabled    | true  |
        | local_password_enabled    | true  |
        | self_registration_enabled | true  |
        | oidc_enabled              | false |
        | oidc_provider_name        | null  |
        | ldap_enabled              | false |
        | ldap_provider_name        | null  |
      And each sign-in method that is off is answered 501 with a JSON error:
        | method | path             |
        | GET    | /auth/oidc/login |
        | GET    | /auth/callback   |
        | POST   | /auth/ldap/login |
