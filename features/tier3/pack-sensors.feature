@tier3 @rules @packs @requires-managed-sensors
Feature: Pack sensors managed by the sensor service
  A pack MAY declare its own sensor: a program under `sensors/` with an entry point, a runtime
  and the trigger types it serves. The sensor service MUST start that program when an enabled
  rule uses one of its triggers and MUST hand it, in its environment, the API URL
  (`ATTUNE_API_URL`), a sensor token of its own (`ATTUNE_API_TOKEN`) and the rules it serves
  (`ATTUNE_SENSOR_TRIGGERS`, each with its `trigger_params`). The sensor posts its events to
  `POST /api/v1/events` with that token: each event MUST be recorded with the sensor as its
  source and with the payload the sensor sent, and the rules on the trigger MUST run on it.

  When the last enabled rule on its triggers goes, the sensor MUST be stopped: no event of it
  is recorded after the disable (a post already on the wire may land within the grace of
  `sensorStopGrace`, 1 s) for the whole quiet window `sensorStoppedQuiet` that follows the
  grace (1.5 s, at least five missed posts of a 300 ms sensor). When a rule of several goes, the sensor MUST be restarted
  serving the others only. A sensor that dies MUST be started again, with a backoff (the
  reference stack waits 1 s after a first failure; docs/decisions.md), and its events resume:
  within `sensorRestarted` (15 s) a new start of it is posting.

  The fixture pack (fixtures/packs/e2e_pack_sensor) is installed per scenario. Its sensor
  `poller` posts, for each rule, an event every `interval_ms` (at most `limit` per start) with
  the payload `{reading, seq, boot, rule_ref, sensor_ref}`; `boot` is new at every start, so
  a restart is seen over the wire. Setting the description of its trigger `control` to one
  starting with "crash" makes the running process kill itself with SIGKILL.

  Catalog: T3.6

  Background:
    Given my pack with its own sensor "poller" serving the trigger "reading"

  Rule: The sensor runs while a rule uses its trigger, and its events run the rule

    Scenario: A rule on the sensor's trigger starts it; its readings carry their payload and run the rule
      When a rule "log reading" on the trigger "reading" echoes "{{ event.payload.reading }} #{{ event.payload.seq }}" with the sensor parameters:
        | reading     | r-17 |
        | interval_ms | 300  |
        | limit       | 3    |
      Then the sensor "poller" records exactly 3 readings of the rule "log reading", numbered 1 to 3 by one start, each with the reading "r-17"
      And the rule "log reading" ran exactly 3 executions, completed, printing "r-17 #1", "r-17 #2", "r-17 #3"

    Scenario: The sensor is restarted for the rules left and stopped when the last one goes
      Given a rule "first" on the trigger "reading" echoes "{{ event.payload.reading }}" with the sensor parameters:
        | reading     | one |
        | interval_ms | 300 |
      And a rule "second" on the trigger "reading" echoes "{{ event.payload.reading }}" with the sensor parameters:
        | reading     | two |
        | interval_ms | 300 |
      And the sensor "poller" is posting readings of the rules "first" and "second" from one start
      When the rule "first" is disabled
      Then the sensor "poller" is posting readings of the rule "second" only, from a new start
      And the rule "first" records no reading after its disable
      When the rule "second" is disabled
      Then the trigger "reading" records no reading after the disable of "second": the sensor is stopped

  Rule: A sensor that dies is started again

    Scenario: A crashed sensor is restarted and its readings resume
      Given a rule "log reading" on the trigger "reading" echoes "{{ event.payload.reading }}" with the sensor parameters:
        | reading     | steady |
        | interval_ms | 300    |
      And the sensor "poller" is posting readings of the rule "log reading" from one start
      When the sensor "poller" crashes
      Then the sensor "poller" is posting readings of the rule "log reading" again from a new start, seq counting from 1
      And the crashed start of the sensor "poller" records no reading after its crash
