@tier2 @executions
Feature: Following up on a run: its changes as they happen, and requesting it again
  A user MUST be able to follow their runs as they change, over Server-Sent Events
  (GET /api/v1/executions/stream, `text/event-stream`):

  - each creation and status change of a run the caller may read MUST come as one event
    with SSE's default name ("message"), its data the change as JSON with
    `entity_type` "execution", `entity_id` and `status`, in the order they happened;
  - `?execution_id=<id>` narrows the stream to that run;
  - a run the caller may not read (another tenant's) MUST never appear on it.

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

  Catalog: no catalog id (the routes are Attune's later additions, `stream_execution_updates`
  and `reschedule_execution` in the 0.2.1 OpenAPI document; the catalog predates them).

  Background:
    Given a pack of my own
    And an action "greeter" that runs the shell script:
      """
      echo "hello from the greeter"
      """

  Rule: The execution stream tells each change of my runs, in order, and nothing of others' runs

    Scenario: A client on the stream sees every status of a shell run once, in order
      Given I am following the execution stream
      When I run "greeter"
      Then the execution succeeds
      And the execution stream carried each status of that run once, in order: requested → scheduling → scheduled → running → completed

    Scenario: Another tenant's run never reaches my stream
      Given another tenant "B" with the same persona
      And I am following the execution stream
      When tenant "B" runs "core.echo" with the parameters:
        | message | theirs |
      Then tenant "B"'s execution succeeds with the output "theirs"
      When I run "greeter"
      Then the execution stream carried each status of that run once, in order: requested → scheduling → scheduled → running → completed
      And the execution stream carried nothing about tenant "B"'s run

    Scenario: Following one run by its id carries that run only
      Given an action "slow greeter" that runs the shell script:
        """
        sleep 2
        echo "done"
        """
      When I run "slow greeter"
      And I follow the execution stream of that run once it is running
      Then the execution stream carried nothing but that run, and only its status completed

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
