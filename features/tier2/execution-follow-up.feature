@tier2 @executions
Feature: Following up on a run: requesting it again while it waits for the scheduler
  A run that is still `requested` may have lost its request to the scheduler (a message
  taken during a scheduler failure). POST /api/v1/executions/<id>/reschedule is Attune's
  recovery control for that case:

  - for a run still `requested` it MUST publish the run's ExecutionRequested again and
    answer 200 with `message` "Execution request republished; pending scheduling",
    `attempt_count` (1 for the first request again, counting up), `last_attempt_at` and
    the run as it is now (still `requested`, nothing else changed);
  - the run MUST still run exactly once, however many requests for it wait: the scheduler
    takes a run only while it is `requested`;
  - a run in any other status MUST be refused with 409 and the error naming its status;
    an execution that does not exist with 404.

  It is not a "run this again" button: it never restarts work that started or ended.

  Catalog: no catalog id (the route is Attune Late's, `reschedule_execution` in the 0.2.1
  OpenAPI document; the catalog predates it).

  Background:
    Given a pack of my own
    And an action "greeter" that runs the shell script:
      """
      echo "hello from the greeter"
      """

  Rule: A run still waiting for the scheduler is requested again, and runs once

    @disruptive @serial @requires-service-control @requires-queue
    Scenario: A run requested while the executor is down is requested again twice, then runs once
      Given the executor service is stopped
      And I am tapping the message queue
      When I run "greeter"
      And I ask to reschedule that run
      Then the reschedule is accepted as attempt 1 with the message "Execution request republished; pending scheduling", the run still requested as it was created
      When I ask to reschedule that run
      Then the reschedule is accepted as attempt 2 with the message "Execution request republished; pending scheduling", the run still requested as it was created
      And the message queue carried exactly 3 requests to schedule that run
      When the executor service is started
      Then the execution succeeds
      And the execution printed exactly the line "hello from the greeter"
      And the message queue carried exactly one completion of that run

  Rule: Only a requested run can be requested again

    Scenario: A run that has ended is refused with 409 naming its status
      When I run "greeter"
      Then the execution succeeds
      When I ask to reschedule that run
      Then the reschedule is refused with 409 and the error "Execution <id> is in status 'completed' and cannot be rescheduled; only requested executions are eligible"

    Scenario: An execution that does not exist is refused with 404
      When I ask to reschedule an execution that does not exist
      Then the reschedule is refused with 404 and the error "Execution with ID <missing id> not found"
