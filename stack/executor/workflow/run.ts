/**
 * One workflow run, loaded under its row lock: the decisions of the engine. Everything here
 * happens inside one transaction; messages to send afterwards are collected in an Outbox.
 *
 * The run is advanced from what the database says (which children exist, which finished, which
 * were already taken into account), so the same step can be repeated after a crash, a redelivered
 * message or a periodic sweep without running a task twice.
 */
import type { Client } from '../../common/db';
import { fault } from '../../common/faults';
import { ASK_ACTION_REF } from '../../common/inquiries';
import { ExecutionStatus, TERMINAL_EXECUTION_STATUSES } from '../../common/models';
import type { TerminalRow } from '../execution-outcomes';
import { ChildRow, insertChild, isApplied, markApplied, WorkflowTaskMeta } from './children';
import { render, renderItems, RunFacts, TaskOutcome, taskResultView, TaskView, transitionFires, withDefaults } from './context';
import { joinRequirement, retryDelaySeconds, TaskSpec, WorkflowSpec } from './definition';
import { EngineState, endRun, RunRow, saveRun } from './run-store';
import { stringifyExact } from '../../common/exact-json';

export interface Outbox {
  /** Children to announce with ExecutionRequested, in order. */
  requested: Array<{ id: number; action: number | null; action_ref: string; config: unknown; parent: number }>;
  /** Executions this step ended (ExecutionCompleted). */
  completed: TerminalRow[];
  /** Running children on a worker that must be told to stop. */
  cancelOnWorker: Array<{ execution_id: number; worker_id: number }>;
  /** Running core.ask children (no worker) set `canceling`: the inquiries module cancels their inquiry and ends them. */
  cancelInquiries: number[];
  /** Nested workflow runs to step after commit (their parent cancelled or timed out). */
  stepRuns: number[];
  /** When this run wants to be looked at again (retry due, deadline), ms since epoch. */
  wakeAt: number | null;
}

export function emptyOutbox(): Outbox {
  return { requested: [], completed: [], cancelOnWorker: [], cancelInquiries: [], stepRuns: [], wakeAt: null };
}

const PENDING: ExecutionStatus[] = ['requested', 'scheduling', 'scheduled'];
const CANCELLED_WITH_WORKFLOW = { succeeded: false, cancelled: true, error: 'Cancelled: its workflow was cancelled before it started' };

const isTerminal = (s: ExecutionStatus) => TERMINAL_EXECUTION_STATUSES.has(s);
/** A core.ask child waits on a person, not a worker: cancelling the workflow always cancels its inquiry. */
const isAskChild = (c: ChildRow) => c.action_ref === ASK_ACTION_REF && c.worker === null && c.nested_run === null;
const isFailure = (s: ExecutionStatus) => s === 'failed' || s === 'timeout';

export class Run {
  private readonly variables: Record<string, unknown>;
  private readonly current: string[];
  private readonly completed: string[];
  private readonly failed: string[];
  private readonly state: EngineState;
  private readonly parameters: Record<string, unknown>;

  constructor(
    private readonly db: Client,
    private readonly row: RunRow,
    private readonly spec: WorkflowSpec,
    private readonly children: ChildRow[],
    private readonly outbox: Outbox,
    private readonly defaultTimeout: number,
    private readonly now = new Date(),
  ) {
    this.variables = { ...(row.variables ?? {}) };
    this.current = [...(row.current_tasks ?? [])];
    this.completed = [...(row.completed_tasks ?? [])];
    this.failed = [...(row.failed_tasks ?? [])];
    this.state = { handled: [...(row.engine_state?.handled ?? [])], dispatched: { ...(row.engine_state?.dispatched ?? {}) } };
    this.parameters = withDefaults(row.param_schema, row.parent_config);
  }

  // ------------------------------------------------------------------------------------------
  // entry points

  /** A new run: start every entry task. */
  async begin(): Promise<void> {
    for (const name of this.spec.entryTasks) await this.startTask(name, null);
    await this.advance();
  }

  /** Takes finished children into account, then retries, cancellation, deadline, the end. */
  async advance(): Promise<void> {
    for (const child of [...this.children]) {
      if (!isTerminal(child.status) || isApplied(child)) continue;
      if (!(await markApplied(this.db, child))) continue;
      child.workflow_task = { ...child.workflow_task, completed_at: child.updated.toISOString(), timed_out: child.status === 'timeout' };
      if (this.row.parent_status === 'running') await this.childFinished(child);
    }
    if (this.row.parent_status === 'canceling') {
      await this.cancelChildren(this.spec.cancellationPolicy === 'cancel_running');
      if (this.children.every((c) => isTerminal(c.status))) {
        await this.end('cancelled', { succeeded: false, error: 'Workflow cancelled' }, 'Workflow cancelled');
      }
      return;
    }
    if (this.row.parent_status !== 'running') return;

    const deadline = this.deadline();
    if (deadline !== null && deadline <= this.now.getTime()) {
      const seconds = this.row.parent_timeout_seconds;
      await this.cancelChildren(true);
      await this.end('timeout', { succeeded: false, error: `Workflow timed out after ${seconds} seconds` }, `timed out after ${seconds} seconds`);
      return;
    }
    await this.dispatchDueRetries();
    if (this.isIdle()) {
      await this.finish();
      return;
    }
    if (deadline !== null) this.wake(deadline);
  }

  /** After an executor restart: announce again every child that was created but may not have been sent. */
  async recover(): Promise<void> {
    if (fault('workflow-recovery-reruns-tasks')) {
      // fault: a naive resume starts every task that was in progress again, as a new child
      for (const name of [...this.current]) {
        const task = this.spec.byName.get(name);
        const latest = task && task.withItems === undefined ? this.latest(name, null) : undefined;
        if (task && latest && !isTerminal(latest.status)) this.announce(await this.createChild(task, { index: null, triggeredBy: latest.workflow_task.triggered_by, retryOf: null }));
      }
    }
    for (const child of [...this.children]) {
      if (child.status !== 'requested') continue;
      const name = child.workflow_task.task_name;
      const task = this.spec.byName.get(name);
      const index = child.workflow_task.task_index;
      if (task && task.withItems !== undefined && index !== null && index >= (this.state.dispatched[name] ?? 0)) continue;
      this.outbox.requested.push({ id: child.id, action: null, action_ref: child.action_ref, config: child.config, parent: this.row.parent_id });
    }
  }

  async save(): Promise<void> {
    await saveRun(this.db, { id: this.row.id, variables: this.variables, current: this.current, completed: this.completed, failed: this.failed, state: this.state });
  }

  // ------------------------------------------------------------------------------------------
  // tasks

  private facts(): RunFacts {
    const tasks: Record<string, TaskView> = {};
    for (const name of [...this.completed, ...this.failed]) tasks[name] = this.taskView(name);
    for (const name of this.current) tasks[name] = { status: 'running', result: null };
    return {
      parameters: this.parameters,
      variables: this.variables,
      tasks,
      system: {
        execution_id: this.row.parent_id,
        workflow: this.row.parent_action_ref,
        workflow_start: this.row.parent_started_at ? this.row.parent_started_at.toISOString() : null,
      },
    };
  }

  private attempts(name: string, index: number | null): ChildRow[] {
    return this.children.filter((c) => c.workflow_task.task_name === name && (c.workflow_task.task_index ?? null) === index);
  }

  private indexes(name: string): Array<number | null> {
    const seen = new Set<number | null>();
    for (const c of this.children) if (c.workflow_task.task_name === name) seen.add(c.workflow_task.task_index ?? null);
    return [...seen].sort((a, b) => (a ?? -1) - (b ?? -1));
  }

  /** The attempt that decides an item: the last one created. */
  private latest(name: string, index: number | null): ChildRow | undefined {
    const list = this.attempts(name, index);
    return list[list.length - 1];
  }

  private finals(name: string): ChildRow[] {
    return this.indexes(name).map((i) => this.latest(name, i)).filter((c): c is ChildRow => c !== undefined);
  }

  private taskOutcome(name: string): TaskOutcome {
    const finals = this.finals(name);
    if (finals.some((c) => c.status === 'failed' || c.status === 'abandoned')) return 'failed';
    if (finals.some((c) => c.status === 'timeout')) return 'timeout';
    if (finals.some((c) => c.status === 'cancelled')) return 'cancelled';
    return 'completed';
  }

  private taskView(name: string): TaskView {
    const finals = this.finals(name);
    const last = [...finals].sort((a, b) => a.updated.getTime() - b.updated.getTime() || a.id - b.id).pop();
    const view: TaskView = { status: this.taskOutcome(name), result: last ? taskResultView(last.result) : null };
    const task = this.spec.byName.get(name);
    if (task && task.withItems !== undefined) {
      const ordered = finals.filter((c) => c.workflow_task.task_index !== null).sort((a, b) => (a.workflow_task.task_index ?? 0) - (b.workflow_task.task_index ?? 0));
      // fault with-items-results-unordered: the item results come in the order the items finished, latest first
      if (fault('with-items-results-unordered')) ordered.sort((a, b) => b.updated.getTime() - a.updated.getTime() || b.id - a.id);
      view.results = ordered.map((c) => taskResultView(c.result));
    }
    return view;
  }

  private retryPending(task: TaskSpec, attempt: ChildRow): boolean {
    if (!task.retry || !isFailure(attempt.status) || this.row.parent_status !== 'running') return false;
    // fault workflow-retry-one-short: one retry fewer than the task declares
    const budget = fault('workflow-retry-one-short') ? task.retry.count - 1 : task.retry.count;
    return attempt.retry_count < budget;
  }

  private async childFinished(child: ChildRow): Promise<void> {
    const task = this.spec.byName.get(child.workflow_task.task_name);
    if (!task || !this.current.includes(task.name)) return;
    if (this.retryPending(task, child)) return; // the next attempt is dispatched when due
    if (task.withItems !== undefined) {
      this.refillItems(task);
      if (!this.itemsDone(task)) return;
    }
    await this.endTask(task);
  }

  private async endTask(task: TaskSpec): Promise<void> {
    const name = task.name;
    const at = this.current.indexOf(name);
    if (at < 0) return;
    this.current.splice(at, 1);
    const outcome = this.taskOutcome(name);
    (outcome === 'completed' ? this.completed : this.failed).push(name);
    const view = this.taskView(name);
    // fault workflow-failure-follows-success: a failed task is treated as succeeded by its transitions
    const seen: TaskOutcome = fault('workflow-failure-follows-success') ? 'completed' : outcome;
    const focus = { outcome: seen, result: view.result };
    const fired = task.next.filter((tr) => transitionFires(tr.when, this.facts(), focus));
    if (outcome !== 'completed' && fired.length > 0 && !fault('workflow-failure-never-handled')) this.state.handled.push(name);
    for (const tr of fired) {
      for (const [key, value] of tr.publish) {
        // fault workflow-publish-lost: published values are computed but never stored
        const rendered = render(value, this.facts(), focus);
        if (!fault('workflow-publish-lost')) this.variables[key] = rendered;
      }
      for (const target of tr.do) await this.startTask(target, name);
    }
  }

  private async startTask(name: string, triggeredBy: string | null): Promise<void> {
    if (this.row.parent_status !== 'running') return;
    const task = this.spec.byName.get(name);
    if (!task) return;
    if (this.current.includes(name) || this.completed.includes(name) || this.failed.includes(name)) return;
    if (this.children.some((c) => c.workflow_task.task_name === name)) return;
    if (task.join !== undefined && !fault('workflow-join-first-arrival')) {
      const arrived = (this.spec.inbound.get(name) ?? []).filter((p) => this.completed.includes(p) || this.state.handled.includes(p)).length;
      if (arrived < joinRequirement(this.spec, task)) return;
    }
    this.current.push(name);
    if (task.withItems === undefined) {
      const child = await this.createChild(task, { index: null, triggeredBy, retryOf: null });
      this.announce(child);
      return;
    }
    const items = renderItems(task.withItems, this.facts());
    for (let i = 0; i < items.length; i++) await this.createChild(task, { index: i, item: items[i], triggeredBy, retryOf: null });
    this.state.dispatched[name] = 0;
    this.refillItems(task);
    if (items.length === 0) await this.endTask(task);
  }

  // ------------------------------------------------------------------------------------------
  // with_items

  private itemCount(name: string): number {
    return this.children.filter((c) => c.workflow_task.task_name === name && c.retry_count === 0).length;
  }

  /** Items dispatched and not yet decided (running, or failed with a retry to come). */
  private inFlight(task: TaskSpec): number {
    const sent = this.state.dispatched[task.name] ?? 0;
    let n = 0;
    for (let i = 0; i < sent; i++) {
      const latest = this.latest(task.name, i);
      if (latest && (!isTerminal(latest.status) || this.retryPending(task, latest))) n++;
    }
    return n;
  }

  private refillItems(task: TaskSpec): void {
    const total = this.itemCount(task.name);
    let sent = this.state.dispatched[task.name] ?? 0;
    // fault with-items-ignores-concurrency: every item is sent at once
    const limit = fault('with-items-ignores-concurrency') ? total : task.concurrency;
    let free = limit - this.inFlight(task);
    while (free > 0 && sent < total) {
      const child = this.latest(task.name, sent);
      if (child && child.status === 'requested') this.announce(child);
      sent++;
      free--;
    }
    this.state.dispatched[task.name] = sent;
  }

  private itemsDone(task: TaskSpec): boolean {
    const total = this.itemCount(task.name);
    if ((this.state.dispatched[task.name] ?? 0) < total) return false;
    for (let i = 0; i < total; i++) {
      const latest = this.latest(task.name, i);
      if (!latest || !isTerminal(latest.status) || this.retryPending(task, latest)) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // children

  private announce(child: { id: number; action_ref: string; config: unknown }): void {
    this.outbox.requested.push({ id: child.id, action: null, action_ref: child.action_ref, config: child.config, parent: this.row.parent_id });
  }

  private async createChild(
    task: TaskSpec,
    opts: { index: number | null; item?: unknown; triggeredBy: string | null; retryOf: ChildRow | null },
  ): Promise<ChildRow> {
    const retryCount = opts.retryOf ? opts.retryOf.retry_count + 1 : 0;
    let config: Record<string, unknown>;
    if (opts.retryOf) {
      config = { ...(opts.retryOf.config ?? {}) };
    } else if (task.input) {
      const focus = opts.index === null ? {} : { item: opts.item, index: opts.index };
      const rendered = render(task.input, this.facts(), focus);
      config = rendered !== null && typeof rendered === 'object' && !Array.isArray(rendered) ? (rendered as Record<string, unknown>) : {};
    } else {
      config = { ...this.parameters };
    }
    const meta: WorkflowTaskMeta = {
      workflow_execution: this.row.id,
      task_name: task.name,
      triggered_by: opts.retryOf ? opts.retryOf.workflow_task.triggered_by : opts.triggeredBy,
      task_index: opts.index,
      task_batch: null,
      retry_count: retryCount,
      max_retries: task.retry?.count ?? 0,
      next_retry_at: null,
      // fault workflow-task-timeout-ignored: the task's timeout never reaches its execution
      timeout_seconds: fault('workflow-task-timeout-ignored') ? null : task.timeout,
      timed_out: false,
      duration_ms: null,
      started_at: null,
      completed_at: null,
    };
    const original = opts.retryOf ? (opts.retryOf.original_execution ?? opts.retryOf.id) : null;
    const created = await insertChild(
      this.db,
      {
        parent: this.row.parent_id,
        actionRef: task.action ?? '',
        config,
        enforcement: this.row.parent_enforcement,
        executor: this.row.parent_executor,
        envVars: this.row.parent_env_vars,
        meta,
        timeoutSeconds: meta.timeout_seconds,
        // fault workflow-retry-lineage-lost: retries do not name the attempt they repeat
        originalExecution: fault('workflow-retry-lineage-lost') ? null : original,
        retryReason: opts.retryOf ? `task '${task.name}' attempt ${retryCount} after ${opts.retryOf.status}` : null,
      },
      this.defaultTimeout,
    );
    const row: ChildRow = {
      id: created.id,
      action_ref: created.action_ref,
      status: 'requested',
      result: null,
      config: created.config,
      worker: null,
      workflow_task: meta,
      created: this.now,
      updated: this.now,
      started_at: null,
      retry_count: retryCount,
      original_execution: original,
      nested_run: null,
    };
    this.children.push(row);
    return row;
  }

  private async dispatchDueRetries(): Promise<void> {
    for (const task of this.spec.tasks) {
      if (!task.retry || !this.current.includes(task.name)) continue;
      for (const index of this.indexes(task.name)) {
        const latest = this.latest(task.name, index);
        if (!latest || !isApplied(latest) || !this.retryPending(task, latest)) continue;
        const attempt = latest.retry_count + 1;
        // fault workflow-retry-no-backoff: every retry waits the base delay, whatever the backoff
        const seconds = fault('workflow-retry-no-backoff') ? task.retry.delay : retryDelaySeconds(task.retry, attempt);
        const due = latest.updated.getTime() + seconds * 1000;
        if (due > this.now.getTime()) {
          this.wake(due);
          continue;
        }
        const child = await this.createChild(task, { index, item: undefined, triggeredBy: null, retryOf: latest });
        this.announce(child);
      }
    }
  }

  /** Ends children that have not started; with `includeRunning`, asks running ones to stop too. */
  private async cancelChildren(includeRunning: boolean): Promise<void> {
    // fault workflow-cancel-no-cascade: a cancelled workflow leaves its children alone
    if (fault('workflow-cancel-no-cascade')) return;
    for (const child of this.children) {
      if (PENDING.includes(child.status)) {
        const { rows } = await this.db.query<TerminalRow>(
          `UPDATE execution SET status = 'cancelled', result = $2::jsonb
            WHERE id = $1 AND status = ANY($3::execution_status_enum[])
            RETURNING id, action, action_ref, status, result, updated`,
          [child.id, stringifyExact(CANCELLED_WITH_WORKFLOW), PENDING],
        );
        if (rows[0]) {
          child.status = 'cancelled';
          this.outbox.completed.push(rows[0]);
        }
      } else if (child.status === 'running' && (includeRunning || isAskChild(child))) {
        const res = await this.db.query(`UPDATE execution SET status = 'canceling' WHERE id = $1 AND status = 'running'`, [child.id]);
        if (!res.rowCount) continue;
        child.status = 'canceling';
        if (child.nested_run !== null) this.outbox.stepRuns.push(child.nested_run);
        else if (isAskChild(child)) this.outbox.cancelInquiries.push(child.id);
        else if (child.worker !== null) this.outbox.cancelOnWorker.push({ execution_id: child.id, worker_id: Number(child.worker) });
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // the end

  private deadline(): number | null {
    const started = this.row.parent_started_at;
    const seconds = this.row.parent_timeout_seconds;
    if (!started || !seconds || fault('workflow-deadline-ignored')) return null;
    return started.getTime() + seconds * 1000;
  }

  private wake(at: number): void {
    this.outbox.wakeAt = this.outbox.wakeAt === null ? at : Math.min(this.outbox.wakeAt, at);
  }

  private isIdle(): boolean {
    if (this.children.some((c) => !isTerminal(c.status))) return false;
    for (const name of this.current) {
      const task = this.spec.byName.get(name);
      if (!task) continue;
      if (task.withItems !== undefined && !this.itemsDone(task)) return false;
      for (const index of this.indexes(name)) {
        const latest = this.latest(name, index);
        if (latest && this.retryPending(task, latest)) return false;
      }
    }
    return true;
  }

  private async finish(): Promise<void> {
    // a task still listed as current here can only be one whose children all ended without being applied yet
    const unhandled = this.failed.filter((t) => !this.state.handled.includes(t));
    if (unhandled.length > 0) {
      const error = `Workflow failed: ${unhandled.length} task(s) failed: ${unhandled.join(', ')}`;
      await this.end('failed', { succeeded: false, error }, error);
      return;
    }
    let output: Record<string, unknown> = {};
    if (this.spec.outputMap && !fault('workflow-output-lost')) {
      const rendered = render(this.spec.outputMap, this.facts());
      if (rendered && typeof rendered === 'object' && !Array.isArray(rendered)) output = rendered as Record<string, unknown>;
    }
    await this.end('completed', { ...output, succeeded: true }, null);
  }

  private async end(status: ExecutionStatus, result: Record<string, unknown>, error: string | null): Promise<void> {
    const row = await endRun(this.db, this.row.id, this.row.parent_id, status, result, error);
    this.row.parent_status = status;
    this.row.status = status;
    if (row) this.outbox.completed.push(row);
  }
}
