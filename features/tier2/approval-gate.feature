@tier2 @inquiries
Feature: An approval gate in a workflow
  A workflow task whose action is `core.ask` MUST ask a person exactly one inquiry and
  hold the run until it is answered: the inquiry is `pending` with the prompt, the
  response schema and the assignee rendered from the task's input, the task's execution
  stays `running`, the workflow run stays `running` and no task behind the gate starts.
  The answer MUST decide the branch: an approval runs exactly the approved branch and
  never the denied one, a denial the other way round, and the response reaches the
  task's transitions (`result().response`) and the workflow's output
  (`task.approval.result.response`) value for value; the task's own result is
  `{"succeeded": true, "response": <the answer>, "inquiry_id": <its id>}`.

  An answer that does not satisfy the response schema (a value of the wrong type, a
  required field missing, a value outside an enum) MUST be refused with 400 and a JSON
  error naming the field as a JSON pointer into the answer (`/approved`), and MUST change
  nothing: the inquiry stays pending without a
  response, and the run keeps waiting. Only the assignee MAY answer an inquiry assigned
  to someone: the owner of the run is refused with 403 (it may read the inquiry, not
  answer it) and a tenant who may not even read it with 404; neither changes anything.

  Cancelling a run that waits on an approval MUST withdraw the question: the inquiry
  becomes `cancelled` without a response, an answer to it is refused with 400, and
  nothing behind the gate runs.

  An inquiry MAY also be asked directly (`POST /inquiries`) about any execution, here
  by an operator about a run of mine that already ended; I MUST be able to answer it,
  every field of a multi-field answer MUST be stored exactly, and the run it is about
  MUST stay as it was.

  "Keeps waiting" is watched for 1.5 s (support/timeouts.ts, inquiryGateHeld): a gate
  that does not hold releases the next task in the same engine pass that ends the ask
  execution, i.e. within milliseconds.

  Catalog: T2.6

  Background:
    Given a pack of my own
    And an action "note" that runs the shell script:
      """
      echo "outcome: $outcome"
      """
    And a workflow "release" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: approval
          action: core.ask
          input:
            prompt: "Deploy {{ parameters.version }} to production?"
            response_schema:
              type: object
              properties:
                approved: {type: boolean}
                priority: {type: string, enum: [low, high]}
                comment: {type: string}
              required: [approved]
            assigned_to: "{{ parameters.approver }}"
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [approved_handler]
            - when: "{{ succeeded() and not result().response.approved }}"
              do: [denied_handler]
        - name: approved_handler
          action: note
          input:
            outcome: approved
        - name: denied_handler
          action: note
          input:
            outcome: denied
      output_map:
        response: "{{ task.approval.result.response }}"
      """

  Rule: The run waits on one pending inquiry, asked exactly as the definition says

    Scenario: The approval task asks the rendered question of its assignee and nothing behind it starts
      When I run the workflow "release" with myself as the approver and the parameters:
        """
        {"version": "2.4.1"}
        """
      Then the inquiry of the task "approval" is pending, assigned to me, with:
        """
        {
          "prompt": "Deploy 2.4.1 to production?",
          "response_schema": {
            "type": "object",
            "properties": {
              "approved": {"type": "boolean"},
              "priority": {"type": "string", "enum": ["low", "high"]},
              "comment": {"type": "string"}
            },
            "required": ["approved"]
          }
        }
        """
      And the workflow run keeps waiting on that inquiry

  Rule: The answer decides which branch runs, and travels on value for value

    Scenario: An approval runs only the approved branch and reaches the workflow's output
      When I run the workflow "release" with myself as the approver and the parameters:
        """
        {"version": "2.4.1"}
        """
      And I respond to the inquiry of the task "approval" with:
        """
        {"approved": true, "priority": "high", "comment": "ship it"}
        """
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task             | status    |
        | approval         | completed |
        | approved_handler | completed |
      And the task "denied_handler" never ran
      And the workflow's output is:
        """
        {"response": {"approved": true, "priority": "high", "comment": "ship it"}}
        """

    Scenario: A denial runs only the denied branch, and the gate's result carries the answer
      When I run the workflow "release" with myself as the approver and the parameters:
        """
        {"version": "2.5.0"}
        """
      And I respond to the inquiry of the task "approval" with:
        """
        {"approved": false, "comment": "not during the freeze"}
        """
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task           | status    |
        | approval       | completed |
        | denied_handler | completed |
      And the task "approved_handler" never ran
      And the task "approval" completed with the response:
        """
        {"approved": false, "comment": "not during the freeze"}
        """

  Rule: An answer that does not fit the schema is refused and changes nothing

    Scenario Outline: An answer with <problem> is refused naming the field, and the gate still decides later
      When I run the workflow "release" with myself as the approver and the parameters:
        """
        {"version": "2.4.2"}
        """
      Then the inquiry of the task "approval" is pending with the prompt "Deploy 2.4.2 to production?"
      And responding to that inquiry with '<answer>' is refused with 400, the error naming "<field>"
      And the workflow run keeps waiting on that inquiry
      When I respond to that inquiry with:
        """
        {"approved": false, "priority": "low"}
        """
      Then the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task           | status    |
        | approval       | completed |
        | denied_handler | completed |

      Examples:
        | problem                   | answer                                   | field     |
        | a value of the wrong type | {"approved": "yes"}                      | /approved |
        | a required field missing  | {"comment": "no decision yet"}           | /approved |
        | a value outside the enum  | {"approved": true, "priority": "urgent"} | /priority |

  Rule: Only the assignee may answer

    Scenario: Neither the owner of the run nor a stranger may answer an inquiry assigned to someone else
      Given another tenant "B" with the same persona
      And another tenant "C" with the same persona
      When I run the workflow "release" with tenant "B" as the approver and the parameters:
        """
        {"version": "3.0.0"}
        """
      Then the inquiry of the task "approval" is pending, assigned to tenant "B"
      And responding to that inquiry as myself with '{"approved": true}' is refused with 403
      And responding to that inquiry as tenant "C" with '{"approved": true}' is refused with 404
      And the workflow run keeps waiting on that inquiry

    Scenario: The assignee's answer decides the gate
      Given another tenant "B" with the same persona
      When I run the workflow "release" with tenant "B" as the approver and the parameters:
        """
        {"version": "3.0.1"}
        """
      Then the inquiry of the task "approval" is pending, assigned to tenant "B"
      When tenant "B" responds to that inquiry with:
        """
        {"approved": false, "comment": "B says not yet"}
        """
      Then the workflow's output is:
        """
        {"response": {"approved": false, "comment": "B says not yet"}}
        """
      And the tasks of the workflow run ended like this:
        | task           | status    |
        | approval       | completed |
        | denied_handler | completed |

  Rule: A run cancelled while it waits withdraws its question

    Scenario: Cancelling a run that waits on an approval cancels the inquiry, which can no longer be answered
      When I run the workflow "release" with myself as the approver and the parameters:
        """
        {"version": "4.0.0"}
        """
      Then the inquiry of the task "approval" is pending with the prompt "Deploy 4.0.0 to production?"
      When I cancel the workflow run once the task "approval" is running
      Then the workflow is cancelled with the error "Workflow cancelled"
      And that inquiry is cancelled without a response
      And responding to that inquiry with '{"approved": true}' is refused with 400 and the error "Inquiry {id} is not pending (status cancelled)"
      And the task "approved_handler" never ran

  Rule: An inquiry asked directly about an execution stores its answer exactly

    Scenario: An inquiry about a run that already ended is answered with several fields, each stored exactly
      Given a run of "note" that has succeeded
      When an operator asks me about that execution, with the prompt "Publish the quarterly report?" and the response schema:
        """
        {
          "type": "object",
          "properties": {
            "approved": {"type": "boolean"},
            "priority": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
            "assignee": {"type": "string"},
            "due_date": {"type": "string", "format": "date"},
            "notes": {"type": "string"}
          },
          "required": ["approved", "priority"]
        }
        """
      Then that inquiry reads back pending, exactly as asked
      When I respond to that inquiry with:
        """
        {"approved": true, "priority": "high", "assignee": "john.doe", "due_date": "2024-12-31", "notes": "Requires immediate attention"}
        """
      Then that inquiry is responded, holding exactly:
        """
        {"approved": true, "priority": "high", "assignee": "john.doe", "due_date": "2024-12-31", "notes": "Requires immediate attention"}
        """
      And the execution it was asked about is unchanged
