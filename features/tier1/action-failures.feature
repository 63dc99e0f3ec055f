@tier1 @executions @failures
Feature: Action failure handling
  An action whose process exits with a non-zero code MUST end "failed", and its result
  MUST say why: `succeeded` is false, `exit_code` is the exact code the process returned,
  and `error` is the text the action wrote to standard error (trailing line break
  removed). When stderr holds more than 5 lines, `error` is its last non-empty line
  alone (Attune's rule: short diagnostics are kept whole, long logs are reduced to their
  final word). A command that does not exist keeps the shell's own complaint, which
  bash words as "<script file>: line <n>: <command>: command not found"; the script file
  is wherever the platform wrote the action, so only that shape and the ending are fixed.

  A failure stays with the run that failed: runs of the same action started at the same
  moment each end with their own exit code and error, no run is retried or duplicated,
  and the next run of a healthy action completes with its output.

  A failing action behind a rule fails the same way, and the automation chain around it
  is still recorded: the webhook's event with its payload, exactly one processed
  enforcement of the rule for that event, and exactly one execution of the action for
  that enforcement (README example 6, first half: the error is captured).

  Catalog: T1.8; README example 6 (first half)

  Rule: A failed run reports its exact exit code and its stderr as the error

    Scenario Outline: An inline shell action exiting <code> fails with exit code <code>
      Given an action "failing step" that runs the shell script:
        """
        echo "<message>" >&2
        exit <code>
        """
      When I run "failing step"
      Then the execution fails with exit code <code> and the error "<message>"

      Examples:
        | code | message                         |
        | 1    | generic failure: code 1         |
        | 2    | disk full: code 2               |
        | 127  | helper not installed: code 127  |
        | 255  | unrecoverable state: code 255   |

    Scenario: Five lines of stderr are kept whole as the error
      Given an action "chatty step" that runs the shell script:
        """
        for n in 1 2 3 4 5; do echo "check $n of 5 failed" >&2; done
        exit 4
        """
      When I run "chatty step"
      Then the execution fails with exit code 4 and the error:
        """
        check 1 of 5 failed
        check 2 of 5 failed
        check 3 of 5 failed
        check 4 of 5 failed
        check 5 of 5 failed
        """

    Scenario: Six or more lines of stderr leave only the last line as the error
      Given an action "verbose step" that runs the shell script:
        """
        for n in 1 2 3 4 5 6 7; do echo "attempt $n of 7 failed" >&2; done
        echo "giving up after 7 attempts" >&2
        exit 6
        """
      When I run "verbose step"
      Then the execution fails with exit code 6 and the error "giving up after 7 attempts"

    Scenario: A command that does not exist fails with 127 and the shell's complaint
      Given an action "missing tool" that runs the shell script:
        """
        no_such_tool_e2e --version
        """
      When I run "missing tool"
      Then the execution fails with exit code 127 and the shell's own error ending in "no_such_tool_e2e: command not found"

  Rule: Failures stay with the run that failed

    Scenario: Three failing runs started together fail independently
      Given an action "picky step" that runs the shell script:
        """
        echo "$reason" >&2
        exit "$code"
        """
      When I start these runs of "picky step" at once:
        | reason                 | code |
        | first run: no disk     | 3    |
        | second run: no network | 4    |
        | third run: no memory   | 5    |
      Then each of those runs fails with its own exit code and error:
        | exit code | error                  |
        | 3         | first run: no disk     |
        | 4         | second run: no network |
        | 5         | third run: no memory   |

    Scenario: A healthy action right after a failure completes with its output
      Given an action "failing step" that runs the shell script:
        """
        echo "disk full: code 2" >&2
        exit 2
        """
      And I run "failing step"
      And the execution fails with exit code 2 and the error "disk full: code 2"
      When I run "core.echo" with the parameters:
        | message | still standing |
      Then the execution succeeds
      And the execution printed exactly the line "still standing"

  Rule: A failing action behind a rule fails the same way, and its chain is recorded

    Scenario: An action that always fails, run by a webhook rule, ends failed with its error captured
      Given an action "always fails" that runs the shell script:
        """
        echo "upstream refused the request" >&2
        exit 3
        """
      And a webhook "alarm" whose rule "on alarm" runs "always fails"
      When the webhook "alarm" receives the payload:
        """
        {"severity": "high", "source": {"host": "db-1"}}
        """
      Then the event is recorded with the payload it received
      And each of those events led to exactly one processed enforcement of the rule "on alarm"
      And each of those enforcements led to exactly one execution of "always fails"
      And every one of those executions fails with exit code 3 and the error "upstream refused the request"
