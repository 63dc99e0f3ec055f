/**
 * Plug points for tier-2 features. Each hook is called by the core flow at a fixed place and
 * today does the minimal thing; the features replace the bodies, not the call sites.
 *
 *  - admitExecution      (scheduler, before scheduling): concurrency/rate policies, FIFO queue.
 *  - orchestrateWorkflow (scheduler, instead of dispatch): workflow actions run in the executor (workflow/).
 *  - onExecutionTerminal (completion listener): release policy slots, advance workflows, retries.
 *  - orchestrateInquiry (scheduler, instead of dispatch): core.ask runs in the executor (inquiries/).
 *  - onInquiryResponded  (inquiry responses queue): resume executions waiting on an inquiry.
 */
import type { Envelope } from '../common/envelope';
import type { ExecutorContext } from './context';
import { admit, AdmissionPreview, releaseSlot } from './admission';
import { askInquiry, inquiryResponded, isAskExecution } from './inquiries';
import { childEnded, startWorkflow } from './workflow/engine';

export interface SchedulableExecution {
  id: number;
  action: number | null;
  action_ref: string;
  config: Record<string, unknown> | null;
  parent: number | null;
  enforcement: number | null;
  status: string;
  workflow_def: number | null;
  runtime_name: string | null;
  runtime_aliases: string[] | null;
}

export type Admission = { admit: true } | { admit: false; reason: string };

/**
 * HOOK (tier 2: policies). Decide whether the execution may be scheduled now. Returning
 * `{admit:false}` leaves the execution `requested`; the hook is then responsible for
 * re-publishing ExecutionRequested when a slot frees up (from onExecutionTerminal).
 */
export async function admitExecution(ctx: ExecutorContext, execution: SchedulableExecution, preview?: AdmissionPreview): Promise<Admission> {
  return admit(ctx, execution, undefined, preview);
}

/**
 * HOOK (tier 2: workflows). Called instead of worker dispatch when `action.workflow_def` is set.
 * Returns true when it took care of the execution.
 */
export async function orchestrateWorkflow(ctx: ExecutorContext, execution: SchedulableExecution, correlationId?: string): Promise<boolean> {
  await startWorkflow(ctx, execution, correlationId);
  return true;
}

/**
 * HOOK (tier 2: inquiries). A `core.ask` execution is never sent to a worker: the inquiries module
 * creates its inquiry and keeps it running. Returns true when it took care of the execution.
 */
export async function orchestrateInquiry(ctx: ExecutorContext, execution: SchedulableExecution, correlationId?: string): Promise<boolean> {
  if (!isAskExecution(execution.action_ref)) return false;
  await askInquiry(ctx, execution.id, correlationId);
  return true;
}

export interface TerminalExecution {
  id: number;
  action: number | null;
  action_ref: string;
  status: string;
  parent: number | null;
  enforcement: number | null;
  workflow_task: unknown;
  retry_count: number;
  max_retries: number | null;
  result: unknown;
  /** it holds a place in an admission queue (read with the row; undefined: not read) */
  admission_placed?: boolean;
}

/** HOOK (tier 2: policy slot release, workflow advance, inquiries, retries) after a terminal status. */
export async function onExecutionTerminal(ctx: ExecutorContext, execution: TerminalExecution, env: Envelope): Promise<void> {
  await releaseSlot(ctx, execution.id, env.correlation_id, execution.admission_placed);
  if (execution.workflow_task) await childEnded(ctx, execution.workflow_task, env.correlation_id);
}

/** HOOK (tier 2: inquiries). An InquiryResponded message: the waiting core.ask execution completes. */
export async function onInquiryResponded(ctx: ExecutorContext, env: Envelope): Promise<void> {
  await inquiryResponded(ctx, env);
}
