@tier3 @runtimes @executions
Feature: Output size limits
  The worker MUST capture an action's standard output and standard error each up to its
  own limit (`worker.max_stdout_bytes`, `worker.max_stderr_bytes`; Attune's default is
  10 MiB, this environment sets 1 MiB in config.e2e.yaml, and the suite reads the same
  keys). 128 bytes of each limit are reserved for a marker, so at most the limit minus 128
  bytes of a stream are stored. Output up to that size MUST be stored untouched, byte for
  byte, and not flagged. Beyond it, the stored text MUST be exactly the first limit − 128
  bytes followed by Attune's marker: two line breaks, `[OUTPUT TRUNCATED: stdout exceeded
  size limit]` (or `stderr`), a line break; and the result MUST say so:
  `stdout_truncated: true` and `stdout_bytes_truncated` = the number of bytes dropped
  (`stderr_…` likewise), whatever the run's status (Attune itself flags only failed runs;
  docs/decisions.md). Each stream is cut on its own. Cutting output MUST NOT change how a
  run ends: an action that exits 0 still completes, one that exits 3 still fails with
  exit code 3 (its error being the last line of its stored stderr, here the marker).

  Bytes that are not valid UTF-8 MUST survive as Attune keeps them: each invalid byte is
  stored as U+FFFD (�), the text around it intact. A NUL byte, which the result's jsonb
  column cannot hold, MUST also become U+FFFD rather than leave the run unrecorded.

  The actions print byte-exact ASCII with `yes '<line>' | head -c <bytes>`, so the suite
  knows every byte that must have been kept.

  Catalog: T3.21

  Background:
    Given a pack of my own
    And an action "spill" that runs the shell script:
      """
      yes 'output line 0123456789' | head -c "${out:-0}"
      yes 'error line 0123456789' | head -c "${err:-0}" >&2
      """
    And an action "spill and fail" that runs the shell script:
      """
      yes 'output line 0123456789' | head -c "${out:-0}"
      yes 'error line 0123456789' | head -c "${err:-0}" >&2
      exit 3
      """

  Rule: Output up to the limit minus 128 bytes is stored untouched and not flagged

    Scenario: Standard output of exactly the kept size is stored byte for byte
      When I run "spill" with "out" set to the stdout limit minus 128
      Then the execution succeeds
      And the stored stdout holds the stdout limit minus 128 bytes of repeated "output line 0123456789" lines, untouched
      And the result does not flag stdout as truncated

    Scenario: A failing action's standard error of exactly the kept size is stored byte for byte
      When I run "spill and fail" with "err" set to the stderr limit minus 128
      Then the execution fails
      And the stored stderr holds the stderr limit minus 128 bytes of repeated "error line 0123456789" lines, untouched
      And the result does not flag stderr as truncated

  Rule: Output beyond it is cut there, marked and flagged, and the run ends as it would have

    Scenario Outline: Standard output of <printed> bytes is cut at the kept size and flagged
      When I run "spill" with "out" set to <printed>
      Then the execution succeeds
      And the stored stdout holds the stdout limit minus 128 bytes of repeated "output line 0123456789" lines, then the marker "[OUTPUT TRUNCATED: stdout exceeded size limit]"
      And the result flags stdout as truncated, <dropped> bytes dropped

      Examples:
        | printed                    | dropped                           |
        | the stdout limit minus 127 | 1                                 |
        | the stdout limit plus 4096 | 4224                              |
        | 5 times the stdout limit   | 4 times the stdout limit plus 128 |

    Scenario: A failing action's standard error past the limit is cut and flagged, and the run keeps its exit code
      When I run "spill and fail" with these byte counts:
        | out | 100                        |
        | err | the stderr limit plus 4096 |
      Then the execution fails with exit code 3 and the error "[OUTPUT TRUNCATED: stderr exceeded size limit]"
      And the stored stderr holds the stderr limit minus 128 bytes of repeated "error line 0123456789" lines, then the marker "[OUTPUT TRUNCATED: stderr exceeded size limit]"
      And the result flags stderr as truncated, 4224 bytes dropped
      And the stored stdout holds 100 bytes of repeated "output line 0123456789" lines, untouched
      And the result does not flag stdout as truncated

    Scenario: Both streams past their limits leave a completed run completed, each stream flagged on its own
      When I run "spill" with these byte counts:
        | out | the stdout limit plus 1000 |
        | err | 2 times the stderr limit   |
      Then the execution succeeds
      And the stored stdout holds the stdout limit minus 128 bytes of repeated "output line 0123456789" lines, then the marker "[OUTPUT TRUNCATED: stdout exceeded size limit]"
      And the result flags stdout as truncated, 1128 bytes dropped
      And the result flags stderr as truncated, the stderr limit plus 128 bytes dropped

  Rule: Bytes that are not UTF-8 survive as U+FFFD, the text around them intact

    Scenario: Invalid bytes on standard output are each stored as U+FFFD
      Given an action "binary" that runs the shell script:
        """
        printf 'Binary bytes: \377\376\375\374 then é, € and 😀 intact\n'
        """
      When I run "binary"
      Then the execution succeeds
      And the execution printed exactly the line "Binary bytes: ���� then é, € and 😀 intact"

    Scenario: Invalid bytes on standard error reach a failed run's error as U+FFFD
      Given an action "corrupt" that runs the shell script:
        """
        printf 'checksum mismatch near \200\201 (offset 64)\n' >&2
        exit 2
        """
      When I run "corrupt"
      Then the execution fails with exit code 2 and the error "checksum mismatch near �� (offset 64)"

    Scenario: A NUL byte in the output is stored as U+FFFD and the run is still recorded
      Given an action "nul" that runs the shell script:
        """
        printf 'before\000after\n'
        """
      When I run "nul"
      Then the execution succeeds
      And the execution printed exactly the line "before�after"
