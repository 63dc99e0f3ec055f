@tier2 @packs @requires-pack-registry
Feature: Pack registry indices
  A pack registry index is the URL of a JSON document listing packs, each with its latest version and where to fetch
  it (an archive URL and its "sha256:<hex>" checksum). The administrator configures indices
  (/api/v1/pack-indices): an added index MUST answer 201 with its id, url, name, position, enabled flag and
  headers, and read back exactly so in the list; a change MUST answer 200 with the changed record and read back so; a
  deleted index MUST answer 200 with success and the message "Pack index <id> deleted", leave the list, and answer 404
  to a change or a deletion after that.

  The packs an index offers are read from its document when asked: restricted to one index (registry_id), they MUST
  be exactly that index's packs in the document's order, each with the index it came from; one pack by its ref MUST
  answer its version, label, contents and install sources. A disabled index offers nothing.

  Installing a pack by its ref (POST /api/v1/packs/install) MUST fetch its archive, check it against the index's
  checksum and register it as an uploaded pack is: the pack then exists with its actions, which run. An archive that
  does not match its checksum MUST be refused with 400 and an error saying "Checksum mismatch", and nothing is
  installed. Downloading (POST /api/v1/packs/download) MUST fetch without installing, and list each source as
  downloaded or failed. Building environments (POST /api/v1/packs/build-envs) of a folder without a pack.yaml MUST
  report it failed. Here the registries are HTTP servers of the scenario's own on the callback host.

  Catalog: no catalog id (the catalog installs packs only by upload or from local folders; none configures an index)

  Background:
    Given a pack registry "main" of my own offering:
      | pack      | version | actions      |
      | greetings | 1.2.0   | hello, wave  |
      | weather   | 0.3.1   | forecast     |

  Rule: Indices are records the administrator adds, changes and deletes

    Scenario: An added pack index answers its record and is listed exactly so
      When the administrator adds the registry "main" as a pack index with:
        """
        {"name": "Main registry", "position": 7, "enabled": true, "headers": {"X-Registry-Token": "t-1"}}
        """
      Then the answer is 201 with the index of the registry "main":
        | name     | Main registry              |
        | position | 7                          |
        | enabled  | true                       |
        | headers  | {"X-Registry-Token":"t-1"} |
      And the list of pack indices holds the index of the registry "main" once, exactly as answered

    Scenario: A changed pack index reads back changed, and a deleted one is gone
      Given the administrator has added the registry "main" as a pack index named "Main registry" at position 3
      When the administrator changes the index of the registry "main" with:
        """
        {"name": "Renamed registry", "position": 9, "enabled": false, "headers": {"Authorization": "Bearer abc"}}
        """
      Then the answer is 200 with the index of the registry "main":
        | name     | Renamed registry                |
        | position | 9                               |
        | enabled  | false                           |
        | headers  | {"Authorization":"Bearer abc"}  |
      And the list of pack indices holds the index of the registry "main" once, exactly as answered
      And no enabled index offers the pack "greetings"
      When the administrator deletes the index of the registry "main"
      Then deleting the index of the registry "main" answers 200 with success and the message "Pack index <id> deleted"
      And the list of pack indices no longer holds the index of the registry "main"
      And changing or deleting the index of the registry "main" again is answered 404

  Rule: An index offers the packs its document lists

    Scenario: The packs of one index are exactly those of its document, and one pack reads with its version
      Given a pack registry "other" of my own offering:
        | pack  | version | actions |
        | clock | 2.0.0   | tick    |
      And the administrator has added the registry "main" as a pack index named "Main registry" at position 5
      And the administrator has added the registry "other" as a pack index named "Other registry" at position 6
      Then the index of the registry "main" offers exactly these packs, in this order:
        | pack      | version |
        | greetings | 1.2.0   |
        | weather   | 0.3.1   |
      And the index of the registry "other" offers exactly these packs, in this order:
        | pack  | version |
        | clock | 2.0.0   |
      And the indexed pack "greetings" reads, from the index of the registry "main":
        | version | 1.2.0                    |
        | label   | Registry pack greetings  |
        | actions | hello, wave              |

  Rule: Installing fetches the pack an index names, checks its checksum and registers it

    Background:
      Given the administrator has added the registry "main" as a pack index named "Main registry" at position 5

    Scenario: A pack installed from an index exists with its actions, which run
      When the administrator installs the pack "greetings" from the pack indices
      Then the install succeeds with the pack "greetings" at version "1.2.0"
      And the pack "greetings" is installed with exactly the actions "hello" and "wave"
      And running "hello" of the pack "greetings" completes with the greeting "hello from <ref> 1.2.0"

    Scenario: An archive that does not match the index's checksum is refused and nothing is installed
      Given the registry "main" gives a wrong checksum for the pack "weather"
      When the administrator installs the pack "weather" from the pack indices
      Then the install of "weather" is refused with 400 and a JSON error containing "Checksum mismatch"
      And the pack "weather" is not installed

    Scenario: Downloading fetches a pack without installing it and lists what it could not fetch
      When the administrator downloads the packs "greetings" and "absent"
      Then the download answers 200 with 1 of 2 packs downloaded and 1 failed
      And the download holds the pack "greetings" at version "1.2.0", fetched from the registry with its checksum
      And the download lists "absent" as failed, with an error naming it
      And the pack "greetings" is not installed

  Rule: Building environments reports each folder it was given

    Scenario: A folder without a pack.yaml is reported failed and nothing is built
      When the administrator builds the environments of a folder that holds no pack
      Then the build answers 200, builds nothing and reports the folder as failed with "pack.yaml not found"
