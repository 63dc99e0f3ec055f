/**
 * The fault catalog: deliberate, named breakages of the reference stack, switched on with
 * ATTUNE_FAULTS=name[,name…] in a service's environment. They exist only to prove that the
 * acceptance suite notices when a behaviour it guards is broken (`npm run verify:faults`).
 * With ATTUNE_FAULTS unset every check is a cheap `false`.
 *
 * Each entry names the feature files whose scenarios must FAIL while the fault is active
 * (`guardedBy`, paths from the project root, optionally `path:line`). An entry with an empty
 * `guardedBy` is not yet wired into the stack and is skipped by the verification. A fault may instead name
 * integration tests (`test/integration/<file>.test.ts`) when the behaviour cannot be reached on purpose over the wire
 * (a race the acceptance drills hit only by luck); verify-faults then runs those tests with the fault on.
 */
export const FAULTS: Record<string, { description: string; guardedBy: string[] }> = {
  'execution-stream-skips-running': { description: 'api: GET /executions/stream never sends the change of a run to running', guardedBy: ['features/tier2/execution-follow-up.feature'] },
  'execution-stream-unscoped': { description: 'api: GET /executions/stream sends every execution\'s changes to every caller, whatever they may read', guardedBy: ['features/tier2/execution-follow-up.feature'] },
  'reschedule-not-published': { description: 'api: POST /executions/{id}/reschedule counts the attempt and answers 200 but publishes no ExecutionRequested', guardedBy: ['features/tier2/execution-follow-up.feature'] },
  'reschedule-any-status': { description: 'api: POST /executions/{id}/reschedule accepts an execution in any status (a completed one is requested again, 200)', guardedBy: ['features/tier2/execution-follow-up.feature'] },
  'timer-interval-double': { description: 'sensor: interval timers fire at twice the configured interval', guardedBy: ['features/tier1/interval-timer.feature'] },
  'timer-ignores-disable': { description: 'sensor: a disabled rule keeps firing (the disable message and the periodic reconcile both ignore it)', guardedBy: ['features/tier1/interval-timer.feature'] },
  'cron-off-by-one-second': { description: 'sensor: cron timers fire one second after the matching second (the payload still names the matching second as scheduled_at)', guardedBy: ['features/tier1/cron-timer.feature'] },
  'datetime-fires-twice': { description: 'sensor: a date timer fires a second time one second later', guardedBy: ['features/tier1/date-timer.feature'] },
  'datetime-fires-past': { description: 'sensor: a date timer in the past fires immediately', guardedBy: ['features/tier1/date-timer.feature'] },
  'cron-five-fields-accepted': { description: 'api: rule validation accepts 5-field cron expressions (no seconds field)', guardedBy: ['features/tier1/cron-timer.feature'] },
  'template-drops-types': { description: 'executor: whole-string templates are rendered as strings', guardedBy: ['features/tier1/webhook-trigger.feature'] },
  'enforcement-unlinked': { description: 'executor: enforcements are written without their event id', guardedBy: ['features/tier1/interval-timer.feature'] },
  'rule-conditions-ignored': { description: 'executor: rule conditions are not evaluated (every rule matches)', guardedBy: ['features/tier2/rule-criteria.feature', 'features/tier3/rule-criteria-filtering.feature'] },
  'duplicate-execution': { description: 'executor: each enforcement produces two dispatched top-level executions (the second carries config.retry_of, which the one-per-enforcement index allows)', guardedBy: ['features/tier1/interval-timer.feature', 'features/tier1/webhook-trigger.feature', 'features/tier1/one-event-many-rules.feature'] },
  'skip-running-status': { description: 'worker: executions go from scheduled straight to a terminal status', guardedBy: ['features/tier1/interval-timer.feature'] },
  'exit-code-lost': { description: 'worker: a failed action is recorded with exit_code 1 whatever it returned', guardedBy: ['features/tier1/action-failures.feature'] },
  'stderr-not-captured': { description: 'worker: a failed action is recorded without its stderr text as error', guardedBy: ['features/tier1/action-failures.feature'] },
  'webhook-payload-flattened': { description: 'api: webhook payloads lose their nested objects (folded into dotted top-level keys)', guardedBy: ['features/tier1/webhook-trigger.feature'] },
  'webhook-bigint-rounded': { description: 'api: the webhook receiver reads the body with JSON.parse, so payload integers beyond 2^53 are rounded to the nearest double', guardedBy: ['features/tier3/webhook-large-integers.feature'] },
  'webhook-key-survives-disable': { description: 'api: disabling a webhook keeps its key (Attune forgets it), so the old key is answered 400 instead of 404', guardedBy: ['features/tier1/webhook-trigger.feature'] },
  'webhook-regenerate-keeps-old-key': { description: 'api: regenerating a webhook key answers 200 but the trigger keeps its old key (which keeps working)', guardedBy: ['features/tier2/webhook-keys.feature'] },
  'webhook-ignores-disabled-trigger': { description: 'api: the webhook receiver accepts posts for a disabled trigger', guardedBy: ['features/tier1/webhook-trigger.feature'] },
  'fanout-first-rule-only': { description: 'executor: only the first matching rule (lowest id) of an event is enforced', guardedBy: ['features/tier1/one-event-many-rules.feature'] },
  'key-ref-conflict-across-owners': { description: 'api: creating a key answers 409 when any owner holds a key under that ref, so a tenant learns that another tenant\'s key exists', guardedBy: ['features/tier3/key-refs-per-owner.feature'] },
  'pack-tests-never-run': { description: 'api: a pack\'s tests are never run on install (the answer says tests_skipped: true, test_result null), whatever skip_tests says', guardedBy: ['features/tier3/pack-tests.feature'] },
  'pack-test-failure-ignored': { description: 'api: a failing pack test run never refuses the install (no force needed)', guardedBy: ['features/tier3/pack-tests.feature'] },
  'pack-tests-latest-is-oldest': { description: 'api: GET /packs/{ref}/tests/latest answers the pack\'s first test run instead of its last', guardedBy: ['features/tier3/pack-tests.feature'] },
  'keys-stored-plaintext': { description: 'api: encrypted keys are stored in plaintext (still marked encrypted, read back as stored)', guardedBy: ['features/tier1/datastore.feature'] },
  'keys-ttl-ignored': { description: 'api: key TTLs are never enforced (expires_at is stored and echoed, expired keys stay readable and listed)', guardedBy: ['features/tier1/datastore.feature'] },
  'secret-in-env': { description: 'worker: the secrets merged into an action\'s input are also exported as environment variables named after the key', guardedBy: ['features/tier1/datastore.feature', 'features/tier3/secret-injection.feature'] },
  'secret-in-argv': { description: 'worker: each secret is also passed on the action\'s command line as --<name>=<value>', guardedBy: ['features/tier3/secret-injection.feature'] },
  'shell-prelude-exports-input': { description: 'worker: the inline shell prelude exports its input variables (secrets included), so every child process of the script inherits them', guardedBy: ['features/tier3/secret-injection.feature'] },
  'shell-prelude-traced': { description: 'worker: the inline shell prelude runs under set -x, so each assignment, secret values included, goes to stderr (stored when the action fails)', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secret-in-result': { description: 'worker: the result records the input document the action was given (result.input), secrets included', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secret-in-execution-config': { description: 'worker: the delivered input document, secrets included, is written back as the execution\'s config', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secrets-merged-at-enforcement': { description: 'executor: the action\'s secrets are merged into the rule\'s rendered parameters, so the enforcement\'s and the execution\'s config hold them', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secret-logged-by-worker': { description: 'worker: the input document it delivers, secrets included, is logged at info', guardedBy: ['features/tier3/secret-injection.feature'] },
  'key-bodies-logged': { description: 'api: the bodies of key create and update requests, values included, are logged at info', guardedBy: ['features/tier3/secret-injection.feature'] },
  'identity-key-readable-by-others': { description: 'api: any identity may GET an identity-owned key, its value decrypted', guardedBy: ['features/tier3/secret-injection.feature'] },
  'identity-keys-delivered': { description: 'worker: identity-owned keys (of every identity) are merged into every action\'s input like system keys', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secrets-of-every-pack': { description: 'worker: every pack\'s keys are merged into an action\'s input, not only those of the action\'s own pack', guardedBy: ['features/tier3/secret-injection.feature'] },
  'secret-owner-order-reversed': { description: 'worker: a pack-owned secret wins a name clash with the action\'s own secret (the order is system, action, pack)', guardedBy: ['features/tier3/secret-injection.feature'] },
  'tenant-lists-unscoped': { description: 'api: list endpoints show every identity\'s rows', guardedBy: ['features/tier1/tenant-isolation.feature', 'features/tier3/secret-injection.feature'] },
  'tenant-get-unscoped': { description: 'api: a get by ref or id answers whatever the caller\'s scope (another tenant\'s thing is returned)', guardedBy: ['features/tier1/tenant-isolation.feature', 'features/tier3/secret-injection.feature'] },
  'notifier-unscoped': { description: 'notifier: frames go to every client whose filters match, whatever it may see (no visibility check)', guardedBy: ['features/tier1/tenant-isolation.feature'] },
  'notifier-drops-completed': { description: 'notifier: frames of executions in status completed are not delivered', guardedBy: ['features/tier1/interval-timer.feature'] },
  'wrong-password-accepted': { description: 'api: any password logs in', guardedBy: ['features/smoke/platform-health.feature'] },
  'workflow-accepts-unknown-task': { description: 'api: a workflow whose transition names a task that does not exist is accepted (201) instead of refused with 422, and a pack holding one is installed', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-accepts-missing-action': { description: 'api: a workflow task whose action does not exist (or is not visible) is accepted instead of refused with 422', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-accepts-bad-join': { description: 'api: a join larger than the task\'s inbound transitions (or on a task without any) is accepted instead of refused with 422', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-half-stored': { description: 'api: POST /workflows commits the workflow_definition row before checking the definition, so a refused (422) workflow is still stored, without its companion action', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-update-skips-action': { description: 'api: PUT /workflows/{ref} leaves the companion action\'s label, description and schemas unchanged', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-delete-keeps-action': { description: 'api: DELETE /workflows/{ref} unlinks the companion action before deleting, so the action survives (workflow_def null)', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'workflow-cancel-not-announced': { description: 'api: cancelling a running execution does not publish ExecutionStatusChanged (running → canceling), so a workflow parent is never wound down by the executor', guardedBy: ['features/tier2/workflow-cancellation.feature'] },
  'executor-purges-queues-at-start': { description: 'executor: a start purges its queues, so whatever was published while it was down (events of webhook posts, execution requests) is lost', guardedBy: ['features/tier3/service-restarts.feature'] },
  'lost-worker-never-noticed': { description: 'executor: running executions of a worker that died are never ended (no lost-worker sweep)', guardedBy: ['features/tier3/worker-crash-recovery.feature'] },
  'dispatch-round-robin-off': { description: 'executor: every execution goes to the first eligible worker (lowest id) instead of taking turns', guardedBy: ['features/tier3/worker-crash-recovery.feature'] },
  'sensor-replays-missed-fires': { description: 'sensor: an interval timer armed at start-up replays three "missed" fires at once instead of skipping them', guardedBy: ['features/tier3/service-restarts.feature'] },
  'shell-prelude-on-disk': { description: 'worker: the inline shell prelude (parameter values, secrets included) is written into the temporary script file instead of being handed over on descriptor 3', guardedBy: ['features/tier3/secret-injection.feature'] },
  'key-null-update-kept': { description: 'api: PUT /api/v1/keys/{ref} with value null answers 200 and silently keeps the old value (instead of 422)', guardedBy: ['features/tier1/datastore.feature'] },
  'ready-before-worker': { description: 'api: GET /health/ready ignores workers (ready as soon as the database answers), so the stack reports ready while no worker can take work', guardedBy: ['features/smoke/platform-health.feature'] },
  'workflow-join-first-arrival': { description: 'executor: a task with a join starts as soon as the first predecessor arrives', guardedBy: ['features/tier2/sequential-workflows.feature'] },
  'workflow-retry-one-short': { description: 'executor: a task retries one time fewer than its retry.count', guardedBy: ['features/tier2/workflow-retry.feature'] },
  'workflow-retry-no-backoff': { description: 'executor: every retry waits the base delay, whatever the backoff', guardedBy: ['features/tier2/workflow-retry.feature'] },
  'workflow-retry-lineage-lost': { description: 'executor: retry attempts carry no original_execution', guardedBy: ['features/tier2/workflow-retry.feature'] },
  'workflow-publish-lost': { description: 'executor: published values are computed but never stored in the workflow variables', guardedBy: ['features/tier2/sequential-workflows.feature', 'features/tier3/complex-workflows.feature'] },
  'workflow-failure-follows-success': { description: 'executor: a failed task follows its succeeded() transitions', guardedBy: ['features/tier2/workflow-failure-handling.feature'] },
  'workflow-failure-never-handled': { description: 'executor: a failure handled by a failed()/timed_out() transition still fails the workflow', guardedBy: ['features/tier2/workflow-failure-handling.feature'] },
  'with-items-ignores-concurrency': { description: 'executor: every with_items item is dispatched at once, whatever the concurrency', guardedBy: ['features/tier2/workflow-concurrency.feature'] },
  'with-items-results-unordered': { description: 'executor: task.<name>.results lists the items in the order they finished, latest first', guardedBy: ['features/tier1/workflow-with-items.feature'] },
  'workflow-task-timeout-ignored': { description: 'executor: a task\'s timeout never reaches its child execution', guardedBy: ['features/tier2/workflow-timeouts.feature'] },
  'workflow-deadline-ignored': { description: 'executor: a workflow execution\'s own timeout_seconds is never enforced', guardedBy: ['features/tier2/workflow-timeouts.feature'] },
  'workflow-cancel-no-cascade': { description: 'executor: cancelling a workflow leaves its children alone (pending ones start, running ones run on)', guardedBy: ['features/tier2/workflow-cancellation.feature'] },
  'workflow-output-lost': { description: 'executor: output_map is not rendered into the workflow result', guardedBy: ['features/tier2/nested-workflows.feature', 'features/tier1/workflow-with-items.feature'] },
  'timeout-recorded-failed': { description: 'worker: an action that runs past its timeout is recorded as failed instead of timeout', guardedBy: ['features/tier2/workflow-timeouts.feature'] },
  'workflow-recovery-reruns-tasks': { description: 'executor: after a restart every task that was in progress is started again as a new child', guardedBy: ['features/tier2/workflow-restart.feature'] },
  'pack-workflows-skipped': { description: 'api: a pack\'s YAML workflows are not registered when the pack is loaded (neither the workflow definition nor its companion action is written)', guardedBy: ['features/tier2/workflow-definitions.feature'] },
  'json-output-flattened': { description: 'worker: JSON output parsed into result.data loses its nested objects (folded into dotted top-level keys; arrays of objects likewise)', guardedBy: ['features/tier2/parameter-templating.feature', 'features/tier2/datastore-writes.feature'] },
  'template-wrong-path': { description: 'executor: a rule template path nested below event.payload.<field> resolves one level short (its last segment is dropped)', guardedBy: ['features/tier2/parameter-templating.feature'] },
  'template-missing-as-text': { description: 'executor: a missing value inside a mixed rule template string is rendered as the text "null" instead of nothing', guardedBy: ['features/tier2/parameter-templating.feature'] },
  'criteria-numeric-as-string': { description: 'executor: ordered comparisons (< > <= >=) in expressions compare numbers as text ("9" > "100")', guardedBy: ['features/tier2/rule-criteria.feature', 'features/tier3/rule-criteria-filtering.feature'] },
  'criteria-in-ignored': { description: "executor: the expression operator 'in' always holds (membership is not checked)", guardedBy: ['features/tier2/rule-criteria.feature'] },
  'rule-bad-expression-accepted': { description: 'api: a rule whose conditions.expression does not parse is accepted (201) instead of refused with 422 (it then never matches)', guardedBy: ['features/tier2/rule-criteria.feature'] },
  'execution-token-cross-tenant': { description: "api: an execution token may change and delete keys it cannot read (another tenant's keys)", guardedBy: ['features/tier2/datastore-writes.feature'] },
  'action-env-api-url-missing': { description: 'worker: actions get no ATTUNE_API_URL in their environment', guardedBy: ['features/tier2/datastore-writes.feature', 'features/tier3/chained-webhooks.feature'] },
  'inquiry-response-not-validated': { description: "api: POST /inquiries/{id}/respond stores any response, whatever the inquiry's response_schema says (no 400 naming the field)", guardedBy: ['features/tier2/approval-gate.feature'] },
  'inquiry-timeout-never-fires': { description: 'executor: inquiries never time out on their own (no timer, no sweep): a pending inquiry past timeout_at stays pending and its core.ask execution keeps running', guardedBy: ['features/tier2/inquiry-timeouts.feature', 'features/tier3/multistep-approvals.feature'] },
  'inquiry-late-response-accepted': { description: 'api: respond does not check timeout_at, so an answer after the deadline is accepted (200, responded) instead of 400 + status timeout', guardedBy: ['features/tier2/inquiry-timeouts.feature'] },
  'inquiry-anyone-may-respond': { description: 'api: respond skips the assignee check: anyone who can see an inquiry assigned to someone else may answer it (200 instead of 403)', guardedBy: ['features/tier2/approval-gate.feature'] },
  'inquiry-response-lost': { description: 'executor: an answered core.ask execution completes without `response` in its result (task.<name>.result.response is missing)', guardedBy: ['features/tier2/approval-gate.feature', 'features/tier2/human-in-the-loop.feature'] },
  'inquiry-frames-dropped': { description: 'notifier: inquiry_created / inquiry_responded / inquiry_timeout frames are never delivered', guardedBy: ['features/tier3/inquiry-notifications.feature'] },
  'enforcement-frames-dropped': { description: 'notifier: enforcement_created / enforcement_status_changed frames are never delivered', guardedBy: ['features/tier3/rule-notifications.feature'] },
  'venv-shared-between-packs': { description: 'worker: every pack\'s Python dependencies go into one shared virtualenv ({runtime_envs_dir}/_shared/python), rebuilt whenever another pack\'s requirements differ', guardedBy: ['features/tier3/dependency-isolation.feature'] },
  'node-modules-shared': { description: 'worker: every pack\'s Node dependencies go into one shared node_modules ({runtime_envs_dir}/_shared/node), rebuilt whenever another pack\'s package.json differs', guardedBy: ['features/tier3/dependency-isolation.feature'] },
  'venv-rebuilt-every-run': { description: 'worker: a pack\'s virtualenv is built anew before every execution, whatever its stamp says', guardedBy: ['features/tier2/python-dependencies.feature'] },
  'requirements-change-ignored': { description: 'worker: an existing virtualenv is reused even when the pack\'s requirements.txt changed (the stamp\'s hash is not compared)', guardedBy: ['features/tier2/python-dependencies.feature'] },
  'env-build-failure-ignored': { description: 'worker: a failed pip / npm build is only logged; the action runs without its environment (and fails, if at all, for another reason)', guardedBy: ['features/tier2/python-dependencies.feature', 'features/tier2/nodejs-actions.feature'] },
  'action-helpers-off-path': { description: 'worker: the get_secret / getSecret helpers are not put on PYTHONPATH / NODE_PATH, so actions cannot import them', guardedBy: ['features/tier2/python-dependencies.feature', 'features/tier2/nodejs-actions.feature'] },
  // output limits (docs/runtimes.md "Output limits"; stack/worker/output.ts, process-runner.ts)
  'output-truncation-off': { description: 'worker: stdout and stderr are kept whole whatever their size (no limit, no marker, no flag)', guardedBy: ['features/tier3/output-limits.feature'] },
  'stderr-limit-ignored': { description: 'worker: stderr is kept whole whatever its size (stdout is still bounded)', guardedBy: ['features/tier3/output-limits.feature'] },
  'output-marker-missing': { description: 'worker: output past the limit is cut and flagged, but the truncation marker is never appended', guardedBy: ['features/tier3/output-limits.feature'] },
  'truncation-unflagged-on-success': { description: 'worker: a completed run carries no stdout_truncated / stderr_truncated flags, even when its output was cut (as Attune Mar records it)', guardedBy: ['features/tier3/output-limits.feature'] },
  'output-invalid-utf8-dropped': { description: 'worker: bytes that are not UTF-8 vanish from the stored output instead of becoming U+FFFD', guardedBy: ['features/tier3/output-limits.feature'] },
  'output-nul-unstorable': { description: 'worker: a NUL byte in the output is written to the jsonb result as is; PostgreSQL refuses it and the run stays running', guardedBy: ['features/tier3/output-limits.feature'] },
  // core.http_request (docs/runtimes.md "HTTP runner"; stack/packs/core/actions/http_request.sh reads ATTUNE_FAULTS itself)
  'http-request-body-dropped': { description: 'core.http_request: the request body (body / json_body) is never sent', guardedBy: ['features/tier3/http-requests.feature'] },
  'http-auth-header-dropped': { description: 'core.http_request: auth_type basic/bearer is accepted but no Authorization header is sent', guardedBy: ['features/tier3/http-requests.feature'] },
  'http-error-status-fails': { description: 'core.http_request: an answer outside 2xx fails the run (exit 1) instead of completing it with success false', guardedBy: ['features/tier3/http-requests.feature'] },
  'http-timeout-ignored': { description: 'core.http_request: the timeout parameter is not applied; a server that never answers keeps the run going', guardedBy: ['features/tier3/http-requests.feature'] },
  // container runtime (docs/runtimes.md "Container runner"; stack/worker/sandbox)
  'container-sees-host-root': { description: 'worker: the container sandbox\'s root is the host\'s own root file system (every host path visible at its own place), not the built rootfs', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-network-on': { description: 'worker: every container sandbox keeps the host\'s network namespace, whatever the runtime\'s container.network says', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-shares-host-pid': { description: 'worker: the container sandbox shares the host\'s PID namespace (its /proc lists the host\'s processes, the worker\'s among them)', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-inherits-worker-env': { description: 'worker: a container action\'s environment starts from the worker\'s own environment instead of an empty one', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-stdin-dropped': { description: 'worker: the container sandbox is started without the parameter document (parameters and secrets) on its stdin', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-parameter-file-unmapped': { description: 'worker: with file delivery, ATTUNE_PARAMETER_FILE inside the container keeps the host path, where no file exists', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-exit-code-lost': { description: 'worker: a wrapper shell inside the container reports every failure of the action as exit code 1', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-rootfs-writable': { description: 'worker: the container root file system is bound read-write, so an action can change it for every later run', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-tmp-shared': { description: 'worker: /tmp of every container sandbox is one shared host folder instead of an empty tmpfs per run', guardedBy: ['features/tier3/container-actions.feature'] },
  'container-outlives-worker': { description: 'worker: the container sandbox is not tied to its parent (no --die-with-parent): a timeout or cancel kills bwrap but the action inside runs on', guardedBy: ['features/tier3/container-actions.feature'] },
  // --- issue 12: broker and database outages ---
  'mq-exits-on-connection-loss': { description: 'every service: a lost broker connection ends the process (exit 75) instead of being re-established in process; only the supervisor, within its restart limit, brings the service back', guardedBy: ['features/tier3/infrastructure-outages.feature'] },
  'transient-errors-drop-messages': { description: 'every consumer: a handler that fails because the database or the broker is away drops its message (nack without requeue) instead of handling it again once they are back', guardedBy: ['features/tier3/infrastructure-outages.feature'] },
  'scheduling-never-reclaimed': { description: 'executor: an execution left in scheduling by a handler that lost the database mid-way is never requested again (it waits forever)', guardedBy: ['test/integration/executor-recovery.test.ts'] },
  'notifier-health-ignores-listener': { description: 'notifier: GET /health answers ok while its database LISTEN is down, so a client is told all is well while it hears nothing', guardedBy: ['features/tier3/infrastructure-outages.feature'] },

  // --- issue 11: policies, FIFO queue, queue_stats (features/tier3/policies*.feature) ---
  'fifo-served-lifo': { description: 'executor: a freed slot goes to the newest queued execution instead of the oldest (the queue is served last in, first out)', guardedBy: ['features/tier3/policies-fifo.feature', 'features/tier3/fifo-at-scale.feature'] },
  'admission-skips-older-requests': { description: 'executor: admission does not look for older requests of the queue that have not reached it yet, so a request whose message overtook theirs takes the slot ahead of them', guardedBy: ['test/integration/admission-queue.test.ts'] },
  'policy-ignored': { description: 'executor: concurrency policies are never consulted (every execution is scheduled at once, no queue, no queue_stats)', guardedBy: ['features/tier3/policies-fifo.feature'] },
  'queue-stats-stale': { description: 'executor: queue_stats is not rewritten when an execution finishes and the next one starts (counts stay as they were at the last admission)', guardedBy: ['features/tier3/policies-fifo.feature'] },
  'cancel-method-enqueues': { description: 'executor: a policy with method cancel queues the execution that finds no free slot instead of cancelling it', guardedBy: ['features/tier3/policies-fifo.feature'] },
  'policy-update-ignored': { description: 'executor: an action queue keeps the limit it was created with, so a policy whose limit was changed (PUT) still admits as many runs as before', guardedBy: ['features/tier3/policy-management.feature'] },
  'policy-update-not-stored': { description: 'api: PUT /policies/{ref} answers the new concurrency settings but stores nothing of them', guardedBy: ['features/tier3/policy-management.feature'] },
  'scope-precedence-wrong': { description: 'executor: the broadest policy wins (global over pack over action) instead of the narrowest', guardedBy: ['features/tier3/policies-fifo.feature'] },

  // --- issue 11: access: RBAC matrix, system packs, ownership, integration tokens ---
  'core-pack-deletable': { description: 'api: the system-pack guard on DELETE /packs/{ref} is skipped, so an identity holding packs:delete (core.admin) deletes core', guardedBy: ['features/tier3/system-packs.feature'] },
  'core-hidden-without-role': { description: 'api: no implicit grants on the system packs: an identity without a role sees no core pack, no core.echo and cannot run it', guardedBy: ['features/tier3/system-packs.feature'] },
  'admin-role-sees-owned-packs': { description: "api: unscoped grants (core.admin) reach every identity's packs, actions and keys again (lists and gets)", guardedBy: ['features/tier3/system-packs.feature'] },
  'rbac-skips-update-check': { description: 'api: PUT /rules/{ref} checks rules:read instead of rules:update (one verb unchecked on one resource)', guardedBy: ['features/tier3/rbac-matrix.feature'] },
  'viewer-may-execute': { description: 'api: POST /executions/execute checks actions:read instead of actions:execute', guardedBy: ['features/tier3/rbac-matrix.feature'] },
  'revoked-integration-token-accepted': { description: 'api: /auth/token-login and the refresh of its sessions ignore revocation (expiry still checked)', guardedBy: ['features/tier3/integration-tokens.feature'] },
  'token-login-grants-admin': { description: "api: /auth/token-login opens a session of the token's issuer (the administrator) instead of the token's identity", guardedBy: ['features/tier3/integration-tokens.feature'] },

  // --- issue 11: managed pack sensors ---
  'sensor-never-started': { description: "sensor: the packs' own sensors are never started (no process for a rule's trigger, so no event)", guardedBy: ['features/tier3/pack-sensors.feature'] },
  'sensor-never-stopped': { description: 'sensor: a pack sensor whose last enabled rule went keeps running (and posting)', guardedBy: ['features/tier3/pack-sensors.feature'] },
  'sensor-not-restarted': { description: 'sensor: a pack sensor process that died is not started again', guardedBy: ['features/tier3/pack-sensors.feature'] },
  'sensor-payload-dropped': { description: "api: events posted by a pack sensor's token are stored with an empty payload", guardedBy: ['features/tier3/pack-sensors.feature'] },
  'sensor-token-missing': { description: 'sensor: a pack sensor is started without ATTUNE_API_TOKEN (its event posts are refused 401)', guardedBy: ['features/tier3/pack-sensors.feature'] },

  // --- issue 11: notifications and WebSocket security ---
  'notify-skips-timeout': { description: 'notifier: the frame of an execution entering status timeout is never sent (every other status is)', guardedBy: ['features/tier3/execution-notifications.feature'] },
  'notification-delayed': { description: 'notifier: every frame is held 2 s before it is sent (order kept), as a notifier that batches or polls would', guardedBy: ['features/tier3/execution-notifications.feature'] },
  'ws-accepts-missing-token': { description: 'notifier: an upgrade without any token is welcomed (as an anonymous client that may read nothing) instead of refused with 401', guardedBy: ['features/tier3/websocket-security.feature'] },
  'ws-accepts-expired-token': { description: "notifier: a token's expiry is not checked at the upgrade (signature still is)", guardedBy: ['features/tier3/websocket-security.feature'] },
  'ws-accepts-deleted-identity': { description: 'notifier: a validly signed token is welcomed even when its identity was deleted', guardedBy: ['features/tier3/websocket-security.feature'] },
  'ws-subscribe-unchecked': { description: "notifier: every subscription is accepted (another identity's user:<id>, an entity type the caller may not read) instead of answered with an error frame", guardedBy: ['features/tier3/websocket-security.feature'] },
  'frames-cross-tenant': { description: 'notifier: execution frames skip the readability check, so every client whose filters match hears every execution', guardedBy: ['features/tier3/websocket-security.feature'] },

  // --- issue 11: timer edge cases and action parameter validation ---
  'params-required-not-checked': { description: 'executor: a missing required parameter is not checked, so the run goes to a worker instead of ending failed naming it', guardedBy: ['features/tier3/invalid-parameters.feature'] },
  'params-type-not-checked': { description: 'executor: parameter values are not checked against their declared type, so a wrong type runs instead of failing', guardedBy: ['features/tier3/invalid-parameters.feature'] },
  'params-enum-not-checked': { description: "executor: a value outside a parameter's enum is not refused, so the run goes ahead", guardedBy: ['features/tier3/invalid-parameters.feature'] },
  'params-defaults-not-applied': { description: "executor: the action's parameter defaults are never filled in, so the action gets only what was sent", guardedBy: ['features/tier3/invalid-parameters.feature'] },
  'past-date-timer-fires': { description: 'sensor: a date timer missed by less than a minute fires at once (a catch-up grace) instead of never', guardedBy: ['features/tier3/timer-edge-cases.feature'] },
  'disabled-rule-still-fires': { description: "sensor: the disable message stops a rule's timer, but the periodic reconcile (every 5 s) arms disabled rules again", guardedBy: ['features/tier3/timer-edge-cases.feature'] },
  'timers-share-one-rate': { description: 'sensor: every interval timer runs at the period of the first interval timer the sensor started', guardedBy: ['features/tier3/timer-edge-cases.feature'] },

  // --- issue 13: contract coverage (catalog queries, sensors, workers) ---
  'enabled-lists-show-disabled': { description: 'api: the enabled lists of rules, triggers and sensors also show disabled ones', guardedBy: ['features/tier2/catalog-queries.feature', 'features/tier2/sensors-api.feature'] },
  'search-tokens-or-matched': { description: 'api: action search treats its words as alternatives (an action matching any one word is a hit) instead of requiring all of them', guardedBy: ['features/tier2/catalog-queries.feature'] },
  'rules-of-parent-unfiltered': { description: 'api: the rules of an action or of a trigger list every rule the caller may read', guardedBy: ['features/tier2/catalog-queries.feature'] },
  'sensor-toggle-ignored': { description: 'api: enabling or disabling a sensor answers 200 but leaves it as it was', guardedBy: ['features/tier2/sensors-api.feature'] },
  'cordoned-worker-dispatched': { description: 'executor: a cordoned worker still gets new executions', guardedBy: ['features/tier3/worker-cordon.feature'] },

  'frozen-identity-signs-in': { description: 'api: a frozen identity still signs in (POST /auth/login) and refreshes its session', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'frozen-token-accepted': { description: 'api: the access tokens a frozen identity already holds keep working on the guarded routes', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'unfreeze-ignored': { description: 'api: POST /api/v1/identities/{id}/unfreeze answers success but the identity stays frozen', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'identity-update-clears-attributes': { description: 'api: PUT /api/v1/identities/{id} without attributes empties the attributes', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'identity-permissions-of-caller': { description: "api: GET /api/v1/identities/{id}/permissions lists the caller's own direct assignments", guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'role-removal-ignored': { description: 'api: DELETE /api/v1/identities/roles/{id} answers success but the role assignment stays', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'permission-set-grants-appended': { description: 'api: PUT /api/v1/permissions/sets/{id} adds the new grants to the old ones instead of replacing them', guardedBy: ['features/tier2/identity-lifecycle.feature'] },
  'password-change-ignored': { description: 'api: POST /auth/change-password answers success but the old password stays', guardedBy: ['features/tier2/account.feature'] },
  'profile-name-untrimmed': { description: 'api: PUT /auth/me stores the display name as sent, blanks and all (a blank name is not cleared)', guardedBy: ['features/tier2/account.feature'] },
  'logout-no-redirect': { description: 'api: GET /auth/logout answers 200 in place instead of redirecting the browser to /login', guardedBy: ['features/tier2/account.feature'] },
  'sso-unconfigured-not-found': { description: 'api: the OIDC and LDAP routes answer 404 when not configured instead of 501', guardedBy: ['features/tier2/account.feature'] },
  'sensor-token-ttl-ignored': { description: 'api: POST /auth/sensor-token ignores ttl_seconds (every token lives 24 h)', guardedBy: ['features/tier2/sensor-credentials.feature'] },
  'sensor-token-renewal-drops-triggers': { description: "api: POST /auth/internal/sensor-token with a sensor token and no body forgets the token's trigger types (answered 422)", guardedBy: ['features/tier2/sensor-credentials.feature'] },
  'workflow-file-not-written': { description: 'api: POST /api/v1/packs/{pack_ref}/workflow-files registers the workflow but writes no file to the pack folder', guardedBy: ['features/tier2/workflow-files.feature'] },
  'workflow-file-update-keeps-definition': { description: 'api: PUT /api/v1/workflows/{ref}/file rewrites the file and the label/version but keeps the old graph', guardedBy: ['features/tier2/workflow-files.feature'] },
  'workflow-validate-skips-actions': { description: 'api: POST /api/v1/packs/{ref}/workflows/validate checks only the graph, so a task naming a missing action passes', guardedBy: ['features/tier2/workflow-files.feature'] },
  'index-delete-ignored': { description: 'api: DELETE /api/v1/pack-indices/{id} answers success but the index stays configured', guardedBy: ['features/tier2/pack-registry.feature'] },
  'index-packs-unfiltered': { description: 'api: GET /api/v1/pack-indices/packs ignores registry_id and answers the packs of every enabled index', guardedBy: ['features/tier2/pack-registry.feature'] },
  'install-checksum-ignored': { description: "api: POST /api/v1/packs/install extracts and installs an index's archive whatever checksum the index gives for it", guardedBy: ['features/tier2/pack-registry.feature'] },
  'workflow-sync-reports-created': { description: 'api: POST /api/v1/packs/{ref}/workflows/sync reports every workflow as created, updates included', guardedBy: ['features/tier2/workflow-files.feature'] },
};

export type FaultName = string;

const active = new Set(
  (process.env.ATTUNE_FAULTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

for (const name of active) {
  if (!(name in FAULTS)) {
    // An unknown fault name is a typo in a verification run: refuse loudly rather than test nothing.
    throw new Error(`ATTUNE_FAULTS names an unknown fault '${name}'; known: ${Object.keys(FAULTS).join(', ')}`);
  }
}

export function fault(name: FaultName): boolean {
  return active.size > 0 && active.has(name);
}

export function activeFaults(): string[] {
  return [...active];
}
