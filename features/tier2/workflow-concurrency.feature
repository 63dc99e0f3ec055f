@tier2 @workflows
Feature: Concurrency of a task over many items
  A `with_items` task with `concurrency: N` MUST run every item exactly once and MUST
  never have more than N of its runs going at the same moment, while keeping N going
  whenever enough items are left: the largest overlap of its runs is exactly N, never
  more and never less.

  Overlap is computed from the runs' own stamps: each run occupies the half-open interval
  [`started_at`, `updated`), and where one run ends at the very instant another starts,
  the end is counted first (no overlap). Every item sleeps 0.3 s, six times the
  hand-over between two runs (20–50 ms measured), so a window that was not refilled, or one
  that let an extra run in, changes the count.

  Catalog: T2.10

  Background:
    Given a pack of my own
    And an action "process item" that runs the shell script:
      """
      echo "processing $item"
      sleep 0.3
      echo "processed $item"
      """

  Scenario Outline: Twenty items with concurrency <concurrency> run exactly <concurrency> at a time
    Given a workflow "batch" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: process_items
          action: process item
          with_items: "{{ parameters.items }}"
          concurrency: <concurrency>
          input:
            item: "{{ item }}"
      """
    When I run the workflow "batch" with the parameters:
      """
      {"items": ["item01", "item02", "item03", "item04", "item05", "item06", "item07", "item08", "item09", "item10",
                 "item11", "item12", "item13", "item14", "item15", "item16", "item17", "item18", "item19", "item20"]}
      """
    Then the workflow succeeds
    And the task "process_items" ran exactly 20 times, every run succeeding
    And the largest number of runs of the task "process_items" at the same moment was exactly <concurrency>

    Examples: A few at a time
      | concurrency |
      | 3           |
      | 5           |

    Examples: One at a time
      | concurrency |
      | 1           |
