@tier2 @packs
Feature: Managing sensors through the API
  A sensor is the component that watches something and posts events for a trigger. A
  user MUST be able to manage the sensors of their own pack through the API:

  - creating one (POST /api/v1/sensors) with its pack, label, entrypoint, runtime and the
    trigger it serves answers 201 with the sensor, and the trigger then names it
    (`sensor_ref`) and lists it among its sensors (/api/v1/triggers/<ref>/sensors);
  - reading it back (/api/v1/sensors/<ref>) and listing it (/api/v1/sensors) show exactly
    what was created; an update (PUT) changes only the fields it names;
  - disabling and enabling it (POST …/disable, …/enable) switch `enabled`, and the list of
    enabled sensors (/api/v1/sensors/enabled) follows;
  - deleting it answers 200; afterwards it reads 404, is listed nowhere and the trigger
    lists no sensor;
  - a second sensor with the same ref is refused 409, a sensor for a trigger that does
    not exist 404, each with a JSON error body, and neither leaves a sensor behind.

  The sensors here serve triggers no enabled rule uses, so the platform never starts
  them; running a pack's sensors is features/tier3/pack-sensors.feature.

  Catalog: no catalog id (Attune's e2e catalog creates sensors only by installing packs;
  contract coverage of issue 13)

  Background:
    Given a pack of my own
    And a trigger "door opened" in my pack

  Rule: A sensor is created, read, changed and deleted through the API

    Scenario: A new sensor reads back as created and its trigger names it
      When I create a sensor "door watcher" in my pack serving the trigger "door opened"
      Then the sensor "door watcher" reads:
        | label       | door watcher                        |
        | description | Acceptance-suite sensor "door watcher" |
        | entrypoint  | door_watcher.sh                     |
        | runtime_ref | core.shell                          |
        | enabled     | true                                |
      And the sensors listed for my pack are exactly "door watcher"
      And the trigger "door opened" is served by exactly the sensor "door watcher"

    Scenario: An update changes only the fields it names
      Given a sensor "door watcher" in my pack serving the trigger "door opened"
      When I update the sensor "door watcher" with:
        """
        {"label": "Front door watcher", "description": "Watches the front door"}
        """
      Then the sensor "door watcher" reads:
        | label       | Front door watcher     |
        | description | Watches the front door |
        | entrypoint  | door_watcher.sh        |
        | runtime_ref | core.shell             |
        | enabled     | true                   |

    Scenario: A deleted sensor is gone and its trigger is served by none
      Given a sensor "door watcher" in my pack serving the trigger "door opened"
      When I delete the sensor "door watcher"
      Then there is no sensor "door watcher"
      And the sensors listed for my pack are exactly none
      And the trigger "door opened" is served by no sensor

  Rule: Disabling and enabling a sensor switch it, and the enabled list follows

    Scenario: A disabled sensor leaves the enabled list and comes back when enabled
      Given a sensor "door watcher" in my pack serving the trigger "door opened"
      And a sensor "door counter" in my pack serving the trigger "door opened"
      When the sensor "door watcher" is disabled
      Then the sensor "door watcher" reads:
        | enabled | false |
      And the enabled sensors of my pack are exactly "door counter"
      When the sensor "door watcher" is enabled
      Then the sensor "door watcher" reads:
        | enabled | true |
      And the enabled sensors of my pack are exactly "door counter", "door watcher"

  Rule: A sensor that cannot be created is refused and leaves nothing behind

    Scenario: A duplicate ref and an unknown trigger are refused
      Given a sensor "door watcher" in my pack serving the trigger "door opened"
      When I try to create a sensor "door watcher" in my pack serving the trigger "door opened"
      Then the sensor is refused with 409 and a JSON error body
      When I try to create a sensor "ghost watcher" in my pack serving the trigger "no such trigger"
      Then the sensor is refused with 404 and a JSON error body
      And the sensors listed for my pack are exactly "door watcher"
