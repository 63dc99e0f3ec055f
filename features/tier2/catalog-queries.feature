@tier2 @packs @rules
Feature: Finding things in the catalog
  The catalog MUST answer the questions a user asks while building automation, each
  with exactly the entries that fit, in ref order:

  - what a pack holds: its actions, triggers, sensors and policies
    (/api/v1/packs/<pack>/actions, …/triggers, …/sensors, …/policies);
  - what is switched on: the enabled rules, triggers and sensors, and a trigger enabled
    again is listed again (/api/v1/rules/enabled, /api/v1/triggers/enabled,
    /api/v1/sensors/enabled, POST /api/v1/triggers/<ref>/enable);
  - what uses what: the rules that run an action, the rules that listen to a trigger
    (/api/v1/actions/<ref>/rules, /api/v1/triggers/<ref>/rules);
  - which actions fit some words: every word MUST appear, case-insensitively, in the
    action's ref, label, description or pack ref, within the packs asked for; asking for
    a pack that does not exist is refused 404 (/api/v1/actions/search).

  Lists that span every pack are read whole (every page) and narrowed to the scenario's
  own pack, so other scenarios running at the same time do not show.

  Catalog: no catalog id (Attune's e2e catalog does not list the catalog queries; contract
  coverage of issue 13)

  Background:
    Given a pack of my own

  Rule: A pack lists exactly its own components

    Scenario: A pack lists its actions, triggers, sensors and policies in ref order
      Given my pack holds these actions: "beta", "alpha"
      And my pack holds these triggers: "door opened", "bell rang"
      And a sensor "bell watcher" in my pack serving the trigger "bell rang"
      And a concurrency policy on the action "alpha" named "alpha limit" allowing 1 run at a time
      Then my pack lists exactly, in this order:
        | actions  | alpha, beta            |
        | triggers | bell rang, door opened |
        | sensors  | bell watcher           |
        | policies | alpha limit            |

  Rule: The enabled lists hold what is enabled, and nothing else

    Scenario: Disabled rules, triggers and sensors are left out of the enabled lists until enabled again
      Given my pack holds these actions: "alpha"
      And my pack holds these triggers: "door opened", "bell rang", "window opened"
      And a sensor "window watcher" in my pack serving the trigger "window opened"
      And a sensor "bell watcher" in my pack serving the trigger "bell rang"
      And a rule "greet" on the trigger "door opened" that runs "alpha" with:
        """
        {}
        """
      And a rule "ring" on the trigger "bell rang" that runs "alpha" with:
        """
        {"enabled": false}
        """
      When the trigger "bell rang" is disabled
      And the sensor "window watcher" is disabled
      Then the enabled lists show exactly these of my pack:
        | rules    | greet                      |
        | triggers | door opened, window opened |
        | sensors  | bell watcher               |
      When the trigger "bell rang" is enabled again
      Then the enabled lists show exactly these of my pack:
        | rules    | greet                                 |
        | triggers | bell rang, door opened, window opened |
        | sensors  | bell watcher                          |

  Rule: An action and a trigger each list exactly the rules that use them

    Scenario: The rules of each action and of each trigger
      Given my pack holds these actions: "notify", "archive"
      And my pack holds these triggers: "order placed", "order shipped"
      And these rules in my pack:
        | rule             | trigger       | action  |
        | placed notifies  | order placed  | notify  |
        | shipped notifies | order shipped | notify  |
        | placed archives  | order placed  | archive |
      Then these list exactly these rules, in this order:
        | of                      | rules                             |
        | action "notify"         | placed notifies, shipped notifies |
        | action "archive"        | placed archives                   |
        | trigger "order placed"  | placed archives, placed notifies  |
        | trigger "order shipped" | shipped notifies                  |

  Rule: Searching actions matches every word, within the packs asked for

    Scenario Outline: Searching my pack's actions for "<words>"
      Given my pack holds these actions, described:
        | action     | description                     |
        | slack post | Posts a message to a channel    |
        | slack read | Reads the messages of a channel |
        | mail post  | Sends an e-mail                 |
      When I search the actions of my pack for "<words>"
      Then the search finds exactly: <hits>

      Examples:
        | words            | hits                  |
        | post             | mail post, slack post |
        | SLACK post       | slack post            |
        | channel messages | slack read            |
        | e-mail slack     | none                  |

    Scenario: Searching a pack that does not exist is refused
      When I search the actions of a pack that does not exist for "post"
      Then the search is refused with 404 and a JSON error body
