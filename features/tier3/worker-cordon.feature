@tier3 @executions @serial
Feature: Listing and cordoning workers
  An operator holding core.admin MUST see every registered worker
  (/api/v1/workers, /api/v1/workers/<id>) with its role, status, runtimes, current load
  and cordon state, and MUST be able to cordon a worker for maintenance
  (POST /api/v1/workers/<id>/cordon with a reason) and uncordon it again
  (POST …/uncordon).

  A cordoned worker gets no new execution. When every worker that runs actions is
  cordoned, a new run has nowhere to go: as in Attune, it is unschedulable and MUST end
  failed, its result naming that no worker is available. Once a worker is uncordoned,
  new runs go to it again and complete. The cordon is shown on the worker: `cordoned`,
  `cordon_reason`, `cordoned_by` (the operator's identity), `cordoned_at` and
  `health_state` "cordoned"; uncordoning clears them.

  Cordoning changes what every scenario's runs can do, so this feature runs alone
  (@serial); every cordon is lifted at cleanup, whatever happens.

  Catalog: no catalog id (worker cordoning came to Attune after its e2e catalog; contract
  coverage of issue 13)

  Background:
    Given a pack of my own
    And an action "fine" that runs the shell script:
      """
      echo fine
      """

  Rule: A cordoned worker gets no new execution until it is uncordoned

    Scenario: With every action worker cordoned a new run fails, and after uncordoning one it runs there
      Given the operator lists the workers that run actions
      When the operator cordons every worker that runs actions, giving the reason "kernel upgrade"
      Then each of those workers reads cordoned for "kernel upgrade" by the operator
      When I run "fine"
      Then the run fails, its result naming that no worker is available
      When the operator uncordons the first of those workers
      Then that worker reads not cordoned and "active"
      And a new run of "fine" completes on that worker
