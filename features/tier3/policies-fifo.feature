@tier3 @policies @requires-policies
Feature: Concurrency policies and their FIFO queue
  A concurrency policy MUST cap how many runs of an action hold a slot at once. With method
  `enqueue` a run that finds every slot taken MUST wait in status `requested`, and the waiting
  runs MUST start strictly in submission order, each as soon as a slot frees up, until every
  one of them has completed. With method `cancel` such a run MUST end `cancelled` without ever
  starting, and the next run after a slot freed MUST start at once.

  The action's queue statistics MUST say exactly what the queue holds at every step:
  `queue_length` (runs waiting), `active_count` (runs holding a slot), `max_concurrent` (the
  effective limit), `total_enqueued` and `total_completed` (every run that entered the queue,
  and every one that left it), `oldest_enqueued_at` set exactly while someone waits.

  One policy governs a run: one scoped to the action beats one scoped to its pack, which beats
  a global one.

  The runs hold their slot until the scenario opens their gate (an HTTP call held open by the
  suite), so nothing here depends on how long an action takes. A run that must not start is
  watched for 1.5 s (support/timeouts.ts, queueHeld): a run the policy admits is running
  19-169 ms after its request on the reference stack (72 runs; 442 ms at worst beside tier 3).

  Catalog: README example 3 (README 3, FIFO queue ordering under a concurrency policy)

  Background:
    Given an action "gated step" that holds its slot until its gate opens

  Rule: Waiting runs start one at a time, in submission order

    Scenario: Five rapid requests under a concurrency-1 policy run one at a time, in submission order
      Given a concurrency policy on the action "gated step" allowing 1 run at a time and queuing the rest
      When I request "gated step" 5 times in quick succession
      Then the queue of "gated step" stands exactly at, and stays so:
        | started            | run 1                      |
        | running            | run 1                      |
        | requested          | run 2, run 3, run 4, run 5 |
        | queue_length       | 4                          |
        | active_count       | 1                          |
        | max_concurrent     | 1                          |
        | total_enqueued     | 5                          |
        | total_completed    | 0                          |
        | oldest_enqueued_at | set                        |
      When I open the gates one at a time, the queue of "gated step" moves exactly like this:
        | finished | running | waiting             | queue_length | active_count | total_enqueued | total_completed | oldest_enqueued_at |
        | run 1    | run 2   | run 3, run 4, run 5 | 3            | 1            | 5              | 1               | set                |
        | run 2    | run 3   | run 4, run 5        | 2            | 1            | 5              | 2               | set                |
        | run 3    | run 4   | run 5               | 1            | 1            | 5              | 3               | set                |
        | run 4    | run 5   | none                | 0            | 1            | 5              | 4               | none               |
        | run 5    | none    | none                | 0            | 0            | 5              | 5               | none               |
      Then all 5 runs of "gated step" completed, started in submission order and never overlapped

  Rule: Method cancel refuses a run that finds no free slot

    Scenario: With method cancel, the request that finds the slot taken is cancelled and never starts
      Given a concurrency policy on the action "gated step" allowing 1 run at a time and cancelling the rest
      When I request "gated step" 2 times in quick succession
      Then run 2 of "gated step" ends "cancelled" without ever starting, its result naming the policy
      And the queue of "gated step" stands exactly at, and stays so:
        | started            | run 1 |
        | running            | run 1 |
        | cancelled          | run 2 |
        | queue_length       | 0     |
        | active_count       | 1     |
        | max_concurrent     | 1     |
        | total_enqueued     | 1     |
        | total_completed    | 0     |
        | oldest_enqueued_at | none  |
      When I open the gate of run 1 of "gated step" and it completes
      And I request "gated step" 1 more time
      Then the queue of "gated step" stands exactly at, and stays so:
        | started            | run 1, run 3 |
        | completed          | run 1        |
        | running            | run 3        |
        | cancelled          | run 2        |
        | queue_length       | 0            |
        | active_count       | 1            |
        | max_concurrent     | 1            |
        | total_enqueued     | 2            |
        | total_completed    | 1            |
        | oldest_enqueued_at | none         |

  Rule: The narrowest scope wins

    Scenario: A policy on the action beats the policy on its pack
      Given an action "other gated step" that holds its slot until its gate opens
      And a concurrency policy on my pack allowing 2 runs at a time and queuing the rest
      And a concurrency policy on the action "gated step" allowing 1 run at a time and queuing the rest
      When I request "gated step" 3 times in quick succession
      And I request "other gated step" 3 times in quick succession
      Then the runs start and wait exactly like this, and stay so:
        | action           | started      | waiting      | queue_length | active_count | max_concurrent | total_enqueued |
        | gated step       | run 1        | run 2, run 3 | 2            | 1            | 1              | 3              |
        | other gated step | run 1, run 2 | run 3        | 1            | 2            | 2              | 3              |

    @serial
    Scenario: A policy on the pack beats a global policy, which governs actions without any other
      Given an action "other gated step" that holds its slot until its gate opens
      And another pack of mine with an action "foreign gated step" that holds its slot until its gate opens
      And a global concurrency policy allowing 3 runs at a time and queuing the rest
      And a concurrency policy on my pack allowing 2 runs at a time and queuing the rest
      And a concurrency policy on the action "gated step" allowing 1 run at a time and queuing the rest
      When I request "gated step" 2 times in quick succession
      And I request "other gated step" 3 times in quick succession
      And I request "foreign gated step" 4 times in quick succession
      Then the runs start and wait exactly like this, and stay so:
        | action             | started             | waiting | queue_length | active_count | max_concurrent | total_enqueued |
        | gated step         | run 1               | run 2   | 1            | 1            | 1              | 2              |
        | other gated step   | run 1, run 2        | run 3   | 1            | 2            | 2              | 3              |
        | foreign gated step | run 1, run 2, run 3 | run 4   | 1            | 3            | 3              | 4              |
