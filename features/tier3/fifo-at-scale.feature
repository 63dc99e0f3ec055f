@tier3 @policies @slow @requires-policies
Feature: A concurrency-1 policy keeps a thousand runs in order
  Under a concurrency policy allowing one run at a time, a burst of 1,000 requests of one action
  MUST all complete, and MUST run strictly one after another in the order they were submitted:
  no run may start before the run submitted just before it has ended. None may be lost, none
  doubled, and when the queue has drained its statistics MUST account for every run exactly.

  The runs are a no-op shell action, so the drill measures the queue, not the work: the time
  from the first start to the last end is attached to the report (bounded by
  support/timeouts.ts, policedRunsDrained, measured there).

  Catalog: T3.12 (the 1,000-execution FIFO drill of its reliability work); README example 3 (FIFO under a concurrency-1 policy, at scale)

  Scenario: A thousand back-to-back requests under a concurrency-1 policy run one at a time, in submission order
    Given an action "tick" that runs the shell script:
      """
      echo tick
      """
    And a concurrency policy on the action "tick" allowing 1 run at a time and queuing the rest
    When I request "tick" 1000 times, each request right after the one before
    Then all 1000 runs of "tick" completed, strictly one at a time, in submission order
    And the queue statistics of "tick" read exactly:
      | queue_length       | 0    |
      | active_count       | 0    |
      | max_concurrent     | 1    |
      | total_enqueued     | 1000 |
      | total_completed    | 1000 |
      | oldest_enqueued_at | none |
