@tier3 @executions @failures @disruptive @serial @requires-service-control @requires-database
Feature: Executions outlive a crashed worker
  A worker process can die at any moment, without a word to anyone (killed, out of memory, its
  machine gone). The platform MUST then end every execution that worker was running as
  `abandoned`, with an error naming the worker, within three heartbeat intervals plus one
  lost-worker sweep of the target's configuration (plus a margin for the sweep's own writes,
  support/timeouts.ts); nothing may stay `running` or `scheduled` forever. Executions already
  handed to that worker but not yet started MUST NOT be lost: they run when the worker is back.

  With several workers the platform MUST spread executions over all of them, and losing one
  of them in the middle of a burst MUST cost only that worker's own executions: every other
  execution completes, and none is run twice.

  These drills stop and kill services of the target through the run's service control, so
  they run alone (@serial); cleanup starts every service again and stops the extra workers.

  Catalog: T3.12

  Rule: A crashed worker's executions end abandoned, the ones it had not started wait for it

    Scenario: A worker killed in the middle of its executions
      Given an action "long job" that runs the shell script:
        """
        sleep 45
        """
      And an action "short job" that runs the shell script:
        """
        echo done
        """
      And the worker is busy with as many runs of "long job" as it takes at once
      And 3 more runs of "short job" are waiting for it
      When the worker service is killed
      Then every run that kept the worker busy ends abandoned within the target's bound for a lost worker, naming the worker
      And the waiting runs are still scheduled
      When the worker service is started
      Then every waiting run completes
      And no run of this scenario is left unfinished

  Rule: Several workers share the work, and losing one costs only its own executions

    Scenario: Thirty runs spread evenly over three workers
      Given the platform runs 3 workers
      And an action "short job" that runs the shell script:
        """
        echo done
        """
      When I start 30 runs of "short job" at once
      Then all 30 runs complete
      And each of the 3 workers ran exactly 10 of them

    Scenario: A worker killed in the middle of a burst loses nothing else
      Given the platform runs 3 workers
      And an action "eight second job" that runs the shell script:
        """
        sleep 8
        echo done
        """
      When I start 30 runs of "eight second job" at once
      And once all of them are running, the worker-2 service is killed
      Then the runs on the worker-2 service end abandoned and every other run completes
      And of the 30 runs exactly 10 ended abandoned and 20 completed
      And each of the 3 workers ran exactly 10 of them
      And no run of this scenario is left unfinished
