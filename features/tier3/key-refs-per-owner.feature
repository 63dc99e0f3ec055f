@tier3 @datastore @isolation
Feature: A key's ref belongs to its owner
  A tenant MUST NOT be able to learn that another tenant holds a key, not even by trying to
  create one under the same ref. So a key's ref is unique per owner, not across owners:
  when another identity already holds a key under a ref, creating my own key under that ref
  MUST succeed (201), owned by me, and each of us MUST read, list and delete only our own key
  under it, the other's value never shown. Within one owner a ref stays unique: a second key
  of mine under a ref I already use MUST be refused with 409 and an error naming the ref.

  Attune 0.2.1 answers 409 for a ref held by anyone, which tells the caller that the key
  exists; later Attune derives each ref from its owner so that refs of different owners
  never meet. The reference stack keeps 0.2.1's wire format (the ref is the one the client
  gives) and scopes its uniqueness to the owner instead (docs/decisions.md, "Key refs are
  scoped to their owner").

  Catalog: T1.7 (datastore values are per user), T3.20 (identity-owned keys scoped to their
  owner); here the 409 on create that leaked a key's existence across tenants (the project's
  reliability issue)

  Rule: Another tenant may hold a key under my key's ref, and each of us sees only our own

    Scenario: Two tenants each hold a key under one ref and read, list and delete only their own
      Given I store the key "deploy token" with the value "mine: alpha-7731"
      And another tenant "B" with the same persona
      When tenant "B" stores its own key "deploy token" under the ref of my key "deploy token", with the value "theirs: beta-1904"
      Then the key "deploy token" reads back exactly the value I gave it, unencrypted
      And tenant "B" still reads back exactly the value of its key "deploy token"
      And my key list holds exactly my key "deploy token"
      And tenant "B"'s key list holds exactly its key "deploy token"
      When tenant "B" deletes its key "deploy token"
      Then tenant "B" finds no key under the ref of its key "deploy token"
      And the key "deploy token" reads back exactly the value I gave it, unencrypted

  Rule: Within one owner a ref is still unique

    Scenario: A second key of mine under a ref I already use is refused with 409
      Given I store the key "deploy token" with the value "mine: alpha-7731"
      Then storing another key of mine, "deploy token copy", under the ref of my key "deploy token" is refused with 409, the error naming that ref
      And the key "deploy token" reads back exactly the value I gave it, unencrypted
      And my key list holds exactly my key "deploy token"
