@tier3 @runtimes @isolation @requires-container-runtime
Feature: Container actions
  An action of the container runtime (`core.container`, or a runtime a pack declares with a
  `container` block) MUST run in Linux isolation on the worker: PID, mount and network
  namespaces of its own, a root file system of its own in which none of the host's files
  and none of the host's processes can be seen, read-only apart from a /tmp that every run
  gets empty, and no network unless its runtime allows it. Apart from that it MUST behave like any other action: its standard output is captured
  exactly, its exit code decides between completed and failed (the code and its stderr are
  reported), its parameters and its pack's secrets arrive on stdin (or in the parameter
  file) and never in its environment, which holds nothing of the worker's own. A timeout or
  a cancel MUST stop everything that runs inside the container.

  An action allows itself the network by using a runtime its pack declares: a runtime named
  Container whose `execution_config` holds `container: {network: true}`.

  The scripts run under busybox sh: they use only POSIX shell and busybox applets. A target
  whose workers cannot sandbox (no sandbox tool, or a kernel that forbids namespaces) skips
  these scenarios with the workers' reason; it never passes them.

  Catalog: T3.17

  Rule: Output and exit codes of a container action are reported as for any action

    Scenario: A container action's output is captured exactly and it completes with exit code 0
      Given a container action "boxed greeter" that runs the script:
        """
        echo "hello from inside the box"
        printf 'two\nlines\n'
        """
      When I run "boxed greeter"
      Then the execution completes with exit code 0
      And the execution printed exactly:
        """
        hello from inside the box
        two
        lines
        """

    Scenario Outline: A container action exiting <code> fails with exit code <code> and its stderr as the error
      Given a container action "boxed failure" that runs the script:
        """
        echo "<message>" >&2
        exit <code>
        """
      When I run "boxed failure"
      Then the execution fails with exit code <code> and the error "<message>"

      Examples:
        | code | message                         |
        | 1    | boxed failure: generic          |
        | 3    | boxed failure: quota exceeded   |
        | 42   | boxed failure: answer withheld  |

  Rule: Every run of a container action starts from the same clean file system

    Scenario: A file one container run leaves in /tmp is gone for the next run, and the root file system is read-only
      Given a container action "boxed scribbler" that runs the script:
        """
        if [ -e /tmp/marker ]; then echo "found the marker of an earlier run"; else echo "no marker yet"; fi
        echo "left by execution $ATTUNE_EXEC_ID" > /tmp/marker && echo "wrote /tmp/marker"
        if touch "/bin/scribbled-$ATTUNE_EXEC_ID" 2>/dev/null; then
          rm -f "/bin/scribbled-$ATTUNE_EXEC_ID"
          echo "changed the root file system"
        else
          echo "the root file system is read-only"
        fi
        """
      When I run "boxed scribbler"
      Then the execution succeeds
      And the execution printed exactly:
        """
        no marker yet
        wrote /tmp/marker
        the root file system is read-only
        """
      When I run "boxed scribbler"
      Then the execution succeeds
      And the execution printed exactly:
        """
        no marker yet
        wrote /tmp/marker
        the root file system is read-only
        """

  Rule: Nothing of the host can be seen from inside a container action

    Background:
      Given my pack's file "actions/look_around.sh" holds:
        """
        #!/bin/sh
        # Reports where it runs. Given look_for_dir / look_for_pid (dotenv on stdin), also whether it can see them.
        look_for_dir=''
        look_for_pid=''
        while IFS= read -r line; do
          case "$line" in look_for_dir=*|look_for_pid=*) eval "$line" ;; esac
        done
        seen() { if [ -z "$1" ]; then echo none; elif [ -e "$1" ]; then echo yes; else echo no; fi; }
        saw_dir=$(seen "$look_for_dir")
        saw_pid=$(seen "${look_for_pid:+/proc/$look_for_pid}")
        printf '{"pid_ns":"%s","mnt_ns":"%s","net_ns":"%s","dir":"%s","parent_pid":%s,"saw_dir":"%s","saw_pid":"%s"}\n' \
          "$(readlink /proc/self/ns/pid)" "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/net)" \
          "$PWD" "$PPID" "$saw_dir" "$saw_pid"
        """
      And my pack's file "actions/host_view.yaml" holds:
        """
        ref: <pack>.host_view
        description: The look-around script as an ordinary shell action, on the worker's host
        runner_type: shell
        entry_point: look_around.sh
        parameter_format: dotenv
        output_format: json
        """
      And my pack's file "actions/box_view.yaml" holds:
        """
        ref: <pack>.box_view
        description: The same script in the container runtime
        runner_type: core.container
        entry_point: look_around.sh
        parameter_format: dotenv
        output_format: json
        """
      And I install my pack from its files

    Scenario: A container action runs in PID, mount and network namespaces of its own
      When I run "host view"
      And I run "box view"
      Then "box view" reports PID, mount and network namespaces other than those of "host view"

    Scenario: The host's folders and the worker's process are invisible inside a container action
      When I run "host view"
      And I run "box view" looking for the folder "host view" ran in and the process that started it
      And I run "host view" again, looking for the same
      Then "box view" saw neither that folder nor that process, while the second run of "host view" saw both

  Rule: A container action has no network unless its runtime allows it

    Background:
      Given my pack declares its own container runtime "open box", which allows the network
      And my pack's file "actions/knock.sh" holds:
        """
        #!/bin/sh
        # One HTTP request to the API the platform named in ATTUNE_API_URL: its status code, or that none came.
        hostport=${ATTUNE_API_URL#*://}
        hostport=${hostport%%/*}
        status=$(printf 'GET /health HTTP/1.0\r\nHost: %s\r\n\r\n' "$hostport" \
          | nc -w 2 "${hostport%:*}" "${hostport##*:}" 2>/dev/null | head -n 1 | cut -d ' ' -f 2)
        if [ -n "$status" ]; then echo "the API answered $status"; else echo "no connection to the API"; fi
        """
      And my pack's file "actions/closed_knock.yaml" holds:
        """
        ref: <pack>.closed_knock
        description: Knocks at the API from the container runtime
        runner_type: core.container
        entry_point: knock.sh
        """
      And my pack's file "actions/open_knock.yaml" holds:
        """
        ref: <pack>.open_knock
        description: Knocks at the API from the pack's own container runtime, which allows the network
        runner_type: <pack>.open_box
        entry_point: knock.sh
        """
      And I install my pack from its files

    Scenario: A container action cannot reach the API, one whose runtime allows the network can
      When I run "closed knock"
      Then the execution succeeds
      And the execution printed exactly the line "no connection to the API"
      When I run "open knock"
      Then the execution succeeds
      And the execution printed exactly the line "the API answered 200"

  Rule: Parameters, secrets and environment reach a container action as they reach any action

    Scenario: Parameters and a pack secret arrive on stdin, and the environment holds only what every action gets
      Given my pack holds the encrypted secret "box_password" with the value "c0ntained-s3cret-e2e"
      And a container action "boxed reader" that reads dotenv parameters and runs the script:
        """
        cat > /tmp/input
        # the secret's line shows the SHA-256 of its value; every other line as it came
        while IFS= read -r line; do
          case "$line" in
            box_password=*) value=${line#box_password=\'}; printf 'box_password=sha256:%s\n' "$(printf '%s' "${value%\'}" | sha256sum | cut -d ' ' -f 1)" ;;
            *) printf '%s\n' "$line" ;;
          esac
        done < /tmp/input
        echo "--- environment"
        env | cut -d = -f 1 | sort
        echo "--- environment values holding the secret: $(env | grep -c -F "$(sed -n "s/^box_password='\(.*\)'\$/\1/p" /tmp/input)")"
        """
      When I run "boxed reader" with the parameters:
        | name  | box of tricks |
        | count | 3             |
      Then the execution succeeds
      And the container action read exactly this document on its stdin, the secret "box_password" shown as its SHA-256:
        """
        box_password=sha256:<sha256 of the secret>
        count='3'
        name='box of tricks'
        """
      And its environment held only variables from this list, among them the first four:
        | ATTUNE_EXEC_ID            |
        | ATTUNE_ACTION             |
        | ATTUNE_API_URL            |
        | PATH                      |
        | ATTUNE_API_TOKEN          |
        | ATTUNE_PACK_REF           |
        | ATTUNE_RULE               |
        | ATTUNE_TRIGGER            |
        | ATTUNE_PARAMETER_DELIVERY |
        | ATTUNE_PARAMETER_FORMAT   |
        | ATTUNE_PARAMETER_FILE     |
        | ATTUNE_ARTIFACTS_DIR      |
        | ATTUNE_RUNTIME_ENVS_DIR   |
        | ATTUNE_TRACE_TAG          |
        | PWD                       |
        | SHLVL                     |
        | HOME                      |
      And no variable of its environment held the secret's value

    Scenario: Parameters delivered as a file are read from ATTUNE_PARAMETER_FILE, which cannot be changed
      Given a container action "boxed file reader" that gets its parameters as a JSON file and runs the script:
        """
        cat "$ATTUNE_PARAMETER_FILE"
        echo "stdin held $(cat | wc -c) bytes"
        if echo overwritten 2>/dev/null > "$ATTUNE_PARAMETER_FILE"; then echo "the file could be changed"; else echo "the file is read-only"; fi
        """
      When I run "boxed file reader" with the parameters:
        | message | handed over in a file |
      Then the execution succeeds
      And the execution printed exactly:
        """
        {"message":"handed over in a file"}
        stdin held 0 bytes
        the file is read-only
        """

  Rule: A timeout or a cancel stops everything inside the container

    Scenario: A container action running past its timeout is stopped and recorded as timed out
      Given a container action "boxed sleeper" with a timeout of 2 seconds that runs the script:
        """
        echo "going to sleep"
        sleep 30
        echo "woke up"
        """
      When I run "boxed sleeper"
      Then the execution timed out after 2 seconds, having printed exactly the line "going to sleep"

    Scenario: A cancelled container action makes no call after the cancel
      Given my pack declares its own container runtime "open box", which allows the network
      And my pack's file "actions/late_caller.sh" holds:
        """
        #!/bin/sh
        # Posts {"call": "first"} to the webhook path it is given, sleeps 2 s, then posts {"call": "late"}.
        path=''
        while IFS= read -r line; do case "$line" in path=*) eval "$line" ;; esac; done
        hostport=${ATTUNE_API_URL#*://}
        hostport=${hostport%%/*}
        post() {
          body="{\"payload\": {\"call\": \"$1\"}}"
          printf 'POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
            "$path" "$hostport" "${#body}" "$body" | nc -w 2 "${hostport%:*}" "${hostport##*:}" > /dev/null
        }
        post first
        sleep 2
        post late
        echo "made both calls"
        """
      And my pack's file "actions/late_caller.yaml" holds:
        """
        ref: <pack>.late_caller
        description: Calls a webhook at once and again two seconds later, from a container that may use the network
        runner_type: <pack>.open_box
        entry_point: late_caller.sh
        parameter_format: dotenv
        """
      And I install my pack from its files
      And a trigger "calls" with its webhook enabled
      When I run "late caller" posting to the webhook of "calls"
      And I cancel that run as soon as the webhook of "calls" received the call "first"
      Then the execution is cancelled
      And no further call reaches the webhook of "calls" after the cancel
