@tier3 @webhooks @workflows
Feature: Webhooks chained through workflows
  An action can post to a webhook like any client: to `$ATTUNE_API_URL/api/v1/webhooks/<key>`,
  the key handed to it as a parameter. So automation MUST be able to chain: a post to
  webhook A runs, through a rule, a workflow whose task posts to webhook B, whose rule does
  the same towards C, whose rule runs a final action. Every link MUST happen exactly once:
  each webhook records exactly one event, carrying exactly what the link before it posted
  (deep equality, nested objects included), and each rule enforces it once and starts
  exactly one run, which completes. The data is transformed on the way (each link posts
  the next level and `value × 2 + 10`, with what it received as `origin`), so each level's
  values prove which link produced them: 5 at level 1 becomes 20 at level 2 and 50 at level 3.

  A link that fails MUST stop the chain where it failed, visibly: its task's execution
  fails with the action's own error (stderr), its workflow run fails naming that task
  (docs/workflows.md), and nothing happens after it: the next webhook records no event and
  the next rule runs nothing, watched for 1.5 s (chainNoFurtherStep, support/timeouts.ts;
  the failed link was the only poster and it has ended).

  Catalog: T3.8

  Background:
    Given a pack of my own
    And an action "post to webhook" that prints JSON from the shell script:
      """
      params=$(cat)
      key=$(printf '%s' "$params" | jq -r .webhook_key)
      body=$(printf '%s' "$params" | jq -c '{payload: .payload}')
      reply=$(curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' --data "$body" "$ATTUNE_API_URL/api/v1/webhooks/$key")
      status=${reply##*$'\n'}
      answer=${reply%$'\n'*}
      if [ "$status" != 200 ]; then
        echo "the next webhook refused the post: HTTP $status, $(printf '%s' "$answer" | jq -r .error)" >&2
        exit 1
      fi
      printf '%s' "$answer" | jq -c '{event_id: .data.event_id}'
      """
    And a workflow "forward" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: post
          action: post to webhook
          input:
            webhook_key: "{{ parameters.next_key }}"
            payload:
              level: "{{ parameters.level + 1 }}"
              value: "{{ parameters.value * 2 + 10 }}"
              origin:
                level: "{{ parameters.level }}"
                value: "{{ parameters.value }}"
      """
    And an action "report" that runs the shell script:
      """
      jq -r '"level \(.level) reached with \(.value), from level \(.from)"'
      """
    And a trigger "A" with its webhook enabled
    And a trigger "B" with its webhook enabled
    And a trigger "C" with its webhook enabled
    And a rule "A to B" on the webhook "A" that runs "forward" with the key of the webhook "B" as "next_key" and the parameters:
      """
      {"level": "{{ event.payload.level }}", "value": "{{ event.payload.value }}"}
      """
    And a rule "B to C" on the webhook "B" that runs "forward" with the key of the webhook "C" as "next_key" and the parameters:
      """
      {"level": "{{ event.payload.level }}", "value": "{{ event.payload.value }}"}
      """
    And a rule "C to report" on the webhook "C" that runs "report" with the parameters:
      """
      {"level": "{{ event.payload.level }}", "value": "{{ event.payload.value }}", "from": "{{ event.payload.origin.level }}"}
      """

  Rule: A post cascades through every link, each once, with the data transformed on the way

    Scenario: A post to A runs the chain A → B → C → report, level by level
      When the webhook "A" receives the payload:
        """
        {"level": 1, "value": 5}
        """
      Then the chain ran link by link:
        | webhook | payload received                                                | rule        | ran     | outcome   |
        | A       | {"level": 1, "value": 5}                                        | A to B      | forward | completed |
        | B       | {"level": 2, "value": 20, "origin": {"level": 1, "value": 5}}   | B to C      | forward | completed |
        | C       | {"level": 3, "value": 50, "origin": {"level": 2, "value": 20}}  | C to report | report  | completed |
      And each workflow's task "post" answered with the id of the event its post created
      And the run of the rule "C to report" printed exactly the line "level 3 reached with 50, from level 2"

  Rule: A link that fails stops the chain where it failed

    Scenario: The second link's post is refused, so its run fails and C and the report never happen
      Given the webhook of the trigger "C" has been disabled
      When the webhook "A" receives the payload:
        """
        {"level": 1, "value": 5}
        """
      Then the chain ran link by link:
        | webhook | payload received                                              | rule   | ran     | outcome   |
        | A       | {"level": 1, "value": 5}                                      | A to B | forward | completed |
        | B       | {"level": 2, "value": 20, "origin": {"level": 1, "value": 5}} | B to C | forward | failed    |
      And the run of the rule "B to C" failed in its task "post" with the error "the next webhook refused the post: HTTP 404, Invalid webhook key"
      And nothing happened after it: the trigger "C" records no event and the rule "C to report" runs nothing
