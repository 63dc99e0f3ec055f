@tier2 @auth @rbac
Feature: Identity lifecycle
  An administrator MUST be able to read one identity by its id (GET /api/v1/identities/{id}):
  its login, display name, attributes, whether it is frozen, its role assignments and its direct
  permission-set assignments. An update (PUT /api/v1/identities/{id}) MUST change only the fields
  it names and leave the login as it was.

  A frozen identity (POST /api/v1/identities/{id}/freeze) MUST NOT sign in, refresh its session
  or use an access token it already holds: each is answered 403 with the JSON error
  "Identity is frozen". Unfreezing it (POST /api/v1/identities/{id}/unfreeze) MUST let it sign
  in again with the same password.

  GET /api/v1/identities/{id}/permissions MUST list exactly the identity's direct permission-set
  assignments (a bare array, in order of the set's ref), never the caller's. Removing a role
  assignment (DELETE /api/v1/identities/roles/{id}, the assignment's id) MUST take away at once
  what the role gave; removing it twice MUST be answered 404. Replacing a permission set's grants
  (PUT /api/v1/permissions/sets/{id}) MUST replace them, not add to them, and MUST change what
  its holders may do at their next request.

  Catalog: no catalog id (Attune's e2e suite signs in as one administrator and never administers
  identities); the rules are those of Attune 0.2.1's identity and permission routes.

  Background:
    Given my pack carries the permission set "auditor" granting:
      | resource   | actions |
      | identities | read    |

  Scenario: An administrator reads and updates an identity
    Given an identity "dana" who signed up with a password
    When the admin updates "dana" with the display name "Dana Ops" and the attributes:
      """
      {"team": "ops", "shift": 2}
      """
    Then the admin reads "dana" with the display name "Dana Ops", her own login, not frozen, no roles, no direct permissions and the attributes:
      """
      {"team": "ops", "shift": 2}
      """
    When the admin updates "dana" with the display name "Dana Night" only
    Then the admin reads "dana" with the display name "Dana Night", her own login, not frozen, no roles, no direct permissions and the attributes:
      """
      {"team": "ops", "shift": 2}
      """

  Scenario: A frozen identity can neither sign in nor use its tokens until it is unfrozen
    Given an identity "erin" who signed up with a password
    When the admin freezes "erin"
    Then the admin reads "erin" as frozen
    And "erin" signing in with her password is answered 403 with the JSON error "Identity is frozen"
    And "erin" asking who she is with her earlier access token is answered 403 with the JSON error "Identity is frozen"
    And "erin" listing the packs with her earlier access token is answered 403 with the JSON error "Identity is frozen"
    And "erin" refreshing her earlier session is answered 403 with the JSON error "Identity is frozen"
    When the admin unfreezes "erin"
    Then the admin reads "erin" as not frozen
    And "erin" signs in with her password and is named as the current user

  Scenario: An identity's permission list holds exactly its direct assignments
    Given an identity "ivy" who signed up with a password
    When the admin assigns "ivy" the permission sets "core.viewer" and my "auditor" directly
    Then the permission list of "ivy" holds exactly "core.viewer" and my "auditor", in that order, with the ids of those assignments
    And the admin reads "ivy" with exactly those direct permissions and no roles

  Scenario: Removing a role assignment takes away what the role gave
    Given an identity "hal" holding a role bound to my "auditor"
    And the admin reads "hal" with exactly that one role
    And "hal" may list the identities
    When the admin removes that role assignment of "hal"
    Then the admin reads "hal" with no roles
    And "hal" listing the identities is answered 403 with a JSON error
    And removing that role assignment again is answered 404 with a JSON error

  Scenario: Replacing a permission set's grants changes what its holders may do
    Given an identity "gus" holding a role bound to my "auditor"
    And "gus" may list the identities
    And "gus" reading my pack by its ref is answered 404 with a JSON error
    When the admin replaces the grants of my "auditor", labelled "Pack reader", with:
      | resource | actions | packs  |
      | packs    | read    | <pack> |
    Then the answer shows my "auditor" labelled "Pack reader" with exactly those grants
    And "gus" listing the identities is answered 403 with a JSON error
    And "gus" now reads my pack by its ref
