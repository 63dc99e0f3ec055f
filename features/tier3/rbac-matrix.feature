@tier3 @rbac
Feature: RBAC matrix: what each of Attune's four roles may do with its own things
  An identity's rights are the union of the permission sets bound to the roles it holds.
  Attune ships four sets, and an identity holding one of them through a role (the set is
  bound to a role with POST /api/v1/permissions/sets/{id}/roles, the role given to the
  identity with POST /api/v1/identities/{id}/roles) MUST get exactly these answers:

  - `core.viewer` reads, and nothing else;
  - `core.executor` reads and runs actions;
  - `core.editor` reads, creates and updates packs, actions and rules, updates keys, runs
    actions, and deletes nothing;
  - `core.admin` does everything.

  Every cell is tried on the identity's OWN things, so nothing is hidden from it: a denied
  cell MUST be answered 403 with a JSON error, an allowed one with its success status, and
  an allowed cell really does what it says (a create creates, a delete deletes). Each
  scenario is one role's column of the matrix below; all cells are tried and every cell that
  answers otherwise is reported at once. Executions have only a read cell (runs are started
  by executing an action); `execute` exists only for actions.

  The things come first: while the identity still holds the scenario's tenant persona it
  builds a pack, an action, a webhook trigger, a rule (disabled), a key, a completed run of
  its action and an inquiry about that run, plus one more pack, action, rule, key and
  inquiry to be deleted. Then its persona is taken away and the role given.

  Catalog: T3.10

  Scenario Outline: An identity holding core.<set> gets exactly its column of the matrix
    Given I own a pack, an action, a rule, a key, a run and an inquiry, and spares of each to delete
    And I hold only a role bound to the permission set "core.<set>"
    When I try every cell of the matrix on my own things
      | resource   | verb    | core.viewer | core.executor | core.editor | core.admin |
      | packs      | read    | 200         | 200           | 200         | 200        |
      | packs      | create  | 403         | 403           | 201         | 201        |
      | packs      | update  | 403         | 403           | 200         | 200        |
      | packs      | delete  | 403         | 403           | 403         | 200        |
      | actions    | read    | 200         | 200           | 200         | 200        |
      | actions    | create  | 403         | 403           | 201         | 201        |
      | actions    | update  | 403         | 403           | 200         | 200        |
      | actions    | delete  | 403         | 403           | 403         | 200        |
      | actions    | execute | 403         | 201           | 201         | 201        |
      | rules      | read    | 200         | 200           | 200         | 200        |
      | rules      | create  | 403         | 403           | 201         | 201        |
      | rules      | update  | 403         | 403           | 200         | 200        |
      | rules      | delete  | 403         | 403           | 403         | 200        |
      | executions | read    | 200         | 200           | 200         | 200        |
      | keys       | read    | 200         | 200           | 200         | 200        |
      | keys       | create  | 403         | 403           | 403         | 201        |
      | keys       | update  | 403         | 403           | 200         | 200        |
      | keys       | delete  | 403         | 403           | 403         | 200        |
      | inquiries  | read    | 200         | 200           | 200         | 200        |
      | inquiries  | create  | 403         | 403           | 403         | 201        |
      | inquiries  | update  | 403         | 403           | 403         | 200        |
      | inquiries  | delete  | 403         | 403           | 403         | 200        |
    Then every cell answered as the "core.<set>" column says, denials with a JSON error
    And every allowed cell had its effect and every denied cell left my things as they were

    Examples:
      | set      |
      | viewer   |
      | executor |
      | editor   |
      | admin    |
