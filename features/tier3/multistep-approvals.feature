@tier3 @inquiries
Feature: Approvals in several steps
  Approval gates chained one behind the other MUST be asked strictly in turn: each gate's
  inquiry is asked only after the one before it was answered (it is created no earlier
  than the previous one's `responded_at`, and while a gate is pending no gate behind it
  has started), in exactly the order of the chain, one inquiry per gate. When every gate
  approves, the work behind the last gate runs and the workflow completes. A denial at
  any gate MUST run only the denial branch: no later gate is ever asked and the work
  behind the gates never runs. A gate that nobody answers in time MUST take its
  `timed_out()` branch and nothing behind it is asked.

  "Never asked" is watched for 1.5 s after the run ended (support/timeouts.ts,
  workflowNoFurtherTask): the engine starts a gate in the same pass that ends the one
  before it, before the run can end.

  Catalog: T3.9

  Background:
    Given a pack of my own
    And an action "note" that runs the shell script:
      """
      echo "$outcome"
      """
    And a workflow "release train" with the definition:
      """
      version: "1.0.0"
      tasks:
        - name: manager_approval
          action: core.ask
          input:
            prompt: "Manager: ship release {{ parameters.release }}?"
            response_schema: &decision
              type: object
              properties:
                approved: {type: boolean}
                comment: {type: string}
              required: [approved]
            timeout_seconds: "{{ parameters.patience }}"
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [director_approval]
            - when: "{{ succeeded() and not result().response.approved }}"
              do: [notify_denied]
            - when: "{{ timed_out() }}"
              do: [escalate]
        - name: director_approval
          action: core.ask
          input:
            prompt: "Director: ship release {{ parameters.release }}?"
            response_schema: *decision
            timeout_seconds: "{{ parameters.patience }}"
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [vp_approval]
            - when: "{{ succeeded() and not result().response.approved }}"
              do: [notify_denied]
            - when: "{{ timed_out() }}"
              do: [escalate]
        - name: vp_approval
          action: core.ask
          input:
            prompt: "VP: ship release {{ parameters.release }}?"
            response_schema: *decision
            timeout_seconds: "{{ parameters.patience }}"
          next:
            - when: "{{ succeeded() and result().response.approved }}"
              do: [deploy]
            - when: "{{ succeeded() and not result().response.approved }}"
              do: [notify_denied]
            - when: "{{ timed_out() }}"
              do: [escalate]
        - name: deploy
          action: note
          input:
            outcome: deployed
        - name: notify_denied
          action: note
          input:
            outcome: denied
        - name: escalate
          action: note
          input:
            outcome: escalated
      """

  Rule: Gates are asked one after another, and all approvals let the work through

    Scenario: Three approvals answered in turn release the deployment
      When I run the workflow "release train" with the parameters:
        """
        {"release": "R7", "patience": 60}
        """
      And I answer the inquiries of these tasks in turn:
        | task              | response                                  |
        | manager_approval  | {"approved": true, "comment": "manager"}  |
        | director_approval | {"approved": true, "comment": "director"} |
        | vp_approval       | {"approved": true, "comment": "vp"}       |
      Then the workflow succeeds
      And the inquiries of the workflow run were, in order:
        | task              | status    | response                                  |
        | manager_approval  | responded | {"approved": true, "comment": "manager"}  |
        | director_approval | responded | {"approved": true, "comment": "director"} |
        | vp_approval       | responded | {"approved": true, "comment": "vp"}       |
      And the tasks of the workflow run ended like this:
        | task              | status    |
        | manager_approval  | completed |
        | director_approval | completed |
        | vp_approval       | completed |
        | deploy            | completed |

  Rule: A denial stops the chain at that gate

    Scenario: A denial at the second gate runs only the denial branch and the third gate is never asked
      When I run the workflow "release train" with the parameters:
        """
        {"release": "R8", "patience": 60}
        """
      And I answer the inquiries of these tasks in turn:
        | task              | response                                         |
        | manager_approval  | {"approved": true, "comment": "manager"}         |
        | director_approval | {"approved": false, "comment": "budget is spent"} |
      Then the workflow succeeds
      And the inquiries of the workflow run were, in order:
        | task              | status    | response                                         |
        | manager_approval  | responded | {"approved": true, "comment": "manager"}         |
        | director_approval | responded | {"approved": false, "comment": "budget is spent"} |
      And the tasks of the workflow run ended like this:
        | task              | status    |
        | manager_approval  | completed |
        | director_approval | completed |
        | notify_denied     | completed |
      And the task "vp_approval" never ran

  Rule: A gate nobody answers takes its timeout branch

    Scenario: The first gate times out after 2 seconds and escalates, and no later gate is asked
      When I run the workflow "release train" with the parameters:
        """
        {"release": "R9", "patience": 2}
        """
      Then the inquiry of the task "manager_approval" times out
      And the workflow succeeds
      And the tasks of the workflow run ended like this:
        | task             | status    |
        | manager_approval | timeout   |
        | escalate         | completed |
      And the task "director_approval" never ran
      And the inquiries of the workflow run were, in order:
        | task             | status  | response |
        | manager_approval | timeout | null     |
