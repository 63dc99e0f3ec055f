@tier3 @policies @requires-policies
Feature: Reading and changing a concurrency policy through the API
  A policy I create on an action of my own pack MUST read back exactly as created, with
  the same fields, in three places: the list of policies filtered to my pack
  (/api/v1/policies?pack_ref=<pack>), by its ref (/api/v1/policies/<ref>) and among the
  policies of its action (/api/v1/actions/<action>/policies). Each list holds that one
  policy and nothing else.

  Changing its concurrency limit with PUT /api/v1/policies/<ref> MUST answer the changed
  policy, which then reads back the same in all three places, and the admission MUST
  apply the new limit from the next request on, to the queue the action already has: a
  run that was alone under a limit of 1 is joined by a second one under a limit of 2,
  and a third waits until one of them ends. The queue statistics say so exactly
  (`max_concurrent` is the new limit), and the runs' own stamps show the first two
  overlapping and the third starting only after the first ended.

  The runs hold their slot until the scenario opens their gate (an HTTP call held open
  by the suite); a run that must not start is watched for 1.5 s (support/timeouts.ts,
  queueHeld), as in features/tier3/policies-fifo.feature.

  Catalog: no catalog id (the catalog has no scenario on the policy API; README example 3 is the FIFO queue, features/tier3/policies-fifo.feature)

  Background:
    Given an action "gated step" that holds its slot until its gate opens
    And a concurrency policy on the action "gated step" allowing 1 run at a time and queuing the rest

  Scenario: A limit raised from 1 to 2 reads back everywhere and lets a second run start beside the first
    Then my policy "gated step limit" reads exactly like this in the answer to its creation, in the list of my pack's policies, by its ref and among the policies of the action "gated step":
      | name        | gated step limit                                    |
      | description | none                                                |
      | enabled     | true                                                |
      | priority    | 0                                                   |
      | scope       | the action "gated step"                             |
      | concurrency | limit 1, method enqueue, no group-by parameters     |
      | rate_limit  | none                                                |
      | quotas      | none                                                |
      | tags        | none                                                |
    When I request "gated step" 1 time in quick succession
    Then the queue of "gated step" stands exactly at, and stays so:
      | started            | run 1 |
      | running            | run 1 |
      | queue_length       | 0     |
      | active_count       | 1     |
      | max_concurrent     | 1     |
      | total_enqueued     | 1     |
      | total_completed    | 0     |
      | oldest_enqueued_at | none  |
    When I change my policy "gated step limit" to allow 2 runs at a time
    Then my policy "gated step limit" reads exactly like this in the answer to the change, in the list of my pack's policies, by its ref and among the policies of the action "gated step":
      | name        | gated step limit                                    |
      | description | none                                                |
      | enabled     | true                                                |
      | priority    | 0                                                   |
      | scope       | the action "gated step"                             |
      | concurrency | limit 2, method enqueue, no group-by parameters     |
      | rate_limit  | none                                                |
      | quotas      | none                                                |
      | tags        | none                                                |
    When I request "gated step" 2 more times in quick succession
    Then the queue of "gated step" stands exactly at, and stays so:
      | started            | run 1, run 2 |
      | running            | run 1, run 2 |
      | requested          | run 3        |
      | queue_length       | 1            |
      | active_count       | 2            |
      | max_concurrent     | 2            |
      | total_enqueued     | 3            |
      | total_completed    | 0            |
      | oldest_enqueued_at | set          |
    When I open the gate of run 1 of "gated step" and it completes
    Then the queue of "gated step" stands exactly at, and stays so:
      | started            | run 1, run 2, run 3 |
      | completed          | run 1               |
      | running            | run 2, run 3        |
      | queue_length       | 0                   |
      | active_count       | 2                   |
      | max_concurrent     | 2                   |
      | total_enqueued     | 3                   |
      | total_completed    | 1                   |
      | oldest_enqueued_at | none                |
    And the stamps of the runs of "gated step" show run 2 starting while run 1 ran, and run 3 only after run 1 ended
