@tier3 @packs @rbac
Feature: System packs and user packs
  A system pack (`core`: marked standard and owned by nobody) is part of the platform. Every
  identity MUST see it, read it and run its actions, even one that holds no role and no
  permission set at all, and MUST be able to read its own runs of them. No identity may
  delete it, not even one holding `core.admin`: the answer MUST be 403 with a JSON error
  naming the pack as a system pack, and core stays.

  A pack an identity creates is its own. It MUST stay invisible to every other identity,
  including one that holds `core.admin` through a role: it is left out of that identity's
  pack list and a GET by its ref answers 404 exactly like a pack that does not exist. The
  same holds for an identity's own keys. (Attune lets an unconstrained grant such as
  core.admin's reach only the caller's own packs and packs nobody owns; another identity's
  pack needs a grant scoped by owner or by pack.)

  Catalog: T3.11

  Rule: Everyone sees and runs the system pack

    Scenario: An identity without any role sees core, reads it and runs core.echo
      Given an identity "Rolf" that holds no role and no permission set
      When "Rolf" lists the packs
      Then the list holds exactly the packs "core"
      And "Rolf" reads the pack "core" by its ref
      And "Rolf" lists the actions and finds exactly the actions of the pack "core", core.echo among them
      When "Rolf" runs core.echo with message "hello from a role-less identity"
      Then that run of "Rolf" completed, printed "hello from a role-less identity" and is read back by its id

    Scenario: An identity holding core.admin and one holding nothing both run core.echo
      Given an identity "Ada" holding a role bound to "core.admin"
      And an identity "Rolf" that holds no role and no permission set
      When "Ada" runs core.echo with message "from the admin role"
      And "Rolf" runs core.echo with message "from nobody in particular"
      Then that run of "Ada" completed, printed "from the admin role" and is read back by its id
      And that run of "Rolf" completed, printed "from nobody in particular" and is read back by its id

  Rule: No identity deletes a system pack

    Scenario Outline: <who> may not delete core
      Given <identity>
      When "<name>" tries to delete the pack "core"
      Then the answer is 403 with the JSON error "Pack 'core' is a system pack and cannot be deleted"
      And "<name>" still reads the pack "core" with its action core.echo

      Examples:
        | who                                     | name | identity                                                   |
        | an identity holding core.admin          | Ada  | an identity "Ada" holding a role bound to "core.admin"     |
        | an identity without any role            | Rolf | an identity "Rolf" that holds no role and no permission set |

  Rule: A user's pack and keys are private to it, even from an admin role

    Scenario: An identity holding core.admin neither lists nor reads my pack and my key
      Given my own pack and a key "my_secret_note" of my own
      And an identity "Ada" holding a role bound to "core.admin"
      And "Ada" has created a pack of her own
      When "Ada" lists the packs
      Then the list leaves out my pack and holds "Ada"'s own pack and core
      And "Ada" asking for my pack by its ref is answered 404 like a pack that does not exist
      And "Ada" asking for my key "my_secret_note" is answered 404 like a key that does not exist
      And "Ada"'s list of identity keys is empty: mine is not in it
      And my pack list holds exactly core and my pack, not "Ada"'s pack
