@tier1 @isolation
Feature: Tenant isolation
  Two identities holding the same persona are two tenants: each MUST see and touch only
  what it owns, plus the shared core pack. In these scenarios "I" am the scenario's own
  tenant and tenant "B" is a second identity registered with exactly the same persona.

  My automation is a pack, an action, a webhook trigger, a rule from that trigger to the
  action, a key, and what using it left behind: one event posted to the webhook, its
  enforcement and the execution that enforcement caused (which completed).

  Another tenant's things are HIDDEN, not merely forbidden. Every list tenant "B" takes
  (packs, actions, triggers, rules, executions, events, enforcements, keys) MUST leave
  out all of my things, also when narrowed to my refs, while still holding B's own. Asking
  for one of my things by its ref or id, and trying to change, delete or run it, MUST be
  answered 404 with a JSON error body, exactly like the same request about something that
  never existed (the answers are compared with the identifier masked), so that no request
  reveals that my things exist. A write on something B can see but may not change (the
  core pack) would be a 403; nothing of mine is in that position.

  Nothing B tries may change anything of mine: afterwards my lists hold the same ids and
  refs, each of my things reads back identical in every field, and no run of my action
  exists besides mine. The core pack stays shared: both tenants read and run core.echo,
  and neither sees the other's run.

  Notifications obey the same visibility: a tenant watching the notifier, even subscribed to
  everything, MUST receive frames only about what it may read, i.e. its own runs, and never a
  frame about mine. My own watcher seeing my run complete proves the frames were sent; tenant
  "B" then stays silent about it for a 1 s window (foreignNotificationQuiet in
  support/timeouts.ts: the notifier writes a frame to every entitled connection in the same
  pass, so a leaked frame would follow mine within milliseconds on the same host).

  Catalog: T1.7

  Background:
    Given I have built and used automation of my own
    And another tenant "B" with the same persona

  Rule: Another tenant's lists leave out my things

    Scenario: Tenant B's lists hold only B's own things, and mine only mine
      Given tenant "B" has built and used automation of their own
      When tenant "B" lists every kind of thing:
        | packs        |
        | actions      |
        | triggers     |
        | rules        |
        | executions   |
        | events       |
        | enforcements |
        | keys         |
      Then none of those lists holds any of my things, even when narrowed to my refs
      And each of those lists holds tenant "B"'s own thing of that kind
      And my lists hold my own things and none of tenant "B"'s

  Rule: My things are hidden from another tenant, for reads and for writes alike

    Scenario: Asking for my things by ref or id is answered as if they did not exist
      When tenant "B" asks for each of my things by its ref or id:
        | my pack        |
        | my action      |
        | my trigger     |
        | my rule        |
        | my key         |
        | my run         |
        | my event       |
        | my enforcement |
      Then every one of those requests is answered 404 with a JSON error body, exactly as for something that does not exist
      And I can still read each of those things myself

    Scenario: Changing, deleting or running my things is answered as if they did not exist, and changes nothing
      When tenant "B" tries each of these on my things:
        | change my pack           |
        | delete my pack           |
        | add an action to my pack |
        | change my action         |
        | delete my action         |
        | run my action            |
        | change my trigger        |
        | disable my webhook       |
        | delete my trigger        |
        | change my rule           |
        | disable my rule          |
        | delete my rule           |
        | change my key            |
        | delete my key            |
        | cancel my run            |
      Then every one of those requests is answered 404 with a JSON error body, exactly as for something that does not exist
      And my things and my lists are exactly as they were before

  Rule: The core pack is shared by every tenant

    Scenario: Both tenants read and run core.echo and see only their own run
      When I run "core.echo" with the parameters:
        | message | hello from A |
      And tenant "B" runs "core.echo" with the parameters:
        | message | hello from B |
      Then the execution succeeds
      And the execution printed exactly the line "hello from A"
      And tenant "B"'s execution succeeds with the output "hello from B"
      And neither tenant "B" nor I can see the other's run
      And both tenant "B" and I can read the action "core.echo"

  Rule: Notifications reach only a tenant who may see what they are about

    Scenario: Tenant B watching every notification hears of its own run and nothing of mine
      Given tenant "B" is watching all notifications
      And I am watching execution notifications
      When I run "greeter"
      And tenant "B" runs "core.echo" with the parameters:
        | message | hello from B |
      Then I am notified that my run completed
      And tenant "B" is notified that their own run completed
      And tenant "B" hears nothing about my run, nor anything else that is not theirs
