@tier2 @auth
Feature: Sensor credentials
  An administrator MUST be able to issue a sensor its token (POST /auth/sensor-token with the
  sensor's ref, the trigger types it may create events for, and optionally a lifetime
  `ttl_seconds` between 3600 and 259200, 86400 when left out). The answer (200) MUST name the
  identity `sensor:<sensor ref>` the token acts as (created on first use, attributes
  `{"type": "sensor", "sensor_ref": …}`), the token, its expiry, the trigger types, and the pack of
  the sensor's ref.

  A sensor token MUST only create events and read triggers: any other route is refused 403. A
  sensor MUST be able to renew its token with nothing but its current token
  (POST /auth/internal/sensor-token, the token as bearer, no body): the new token acts as the same
  identity for the same trigger types, for the default lifetime. Without a sensor token that route
  MUST be told the sensor and its trigger types, else it answers 422 with a JSON error.

  The expiry is checked to within 60 s of the request's time plus the lifetime: the request takes
  a few milliseconds here, the margin covers clock reading on both sides.

  Catalog: no catalog id (the catalog's sensors run inside Attune's sensor service); the rules are
  those of Attune 0.2.1's /auth/sensor-token and /auth/internal/sensor-token.

  Scenario: An administrator issues a sensor token for a lifetime of one hour
    When the admin issues a sensor token for my sensor "doorbell_sensor" with the trigger types "doorbell" for 3600 seconds
    Then the token acts as "sensor:<pack>.doorbell_sensor" for the pack "<pack>" and the trigger types "<pack>.doorbell", expiring 3600 seconds from now
    And the admin reads that identity as the sensor identity of "<pack>.doorbell_sensor"
    And with that sensor token the trigger core.intervaltimer can be read
    And with that sensor token listing the packs is answered 403 with a JSON error

  Scenario: A sensor renews its own token with nothing but that token
    Given the admin has issued a sensor token for my sensor "doorbell_sensor" with the trigger types "doorbell" and "knock"
    When the sensor renews its token with nothing but that token
    Then the token acts as "sensor:<pack>.doorbell_sensor" for the pack "<pack>" and the trigger types "<pack>.doorbell" and "<pack>.knock", expiring 86400 seconds from now
    And it is the same identity as before
    And with that sensor token the trigger core.intervaltimer can be read

  Scenario: Without a sensor token the internal route must be told the sensor
    When someone asks the internal route for a sensor token with neither a token nor a sensor ref
    Then the internal route answers 422 with a JSON error
