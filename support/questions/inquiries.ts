/**
 * Questions about inquiries (docs/inquiries.md, contract §14): one inquiry, the inquiries of an execution, the single
 * inquiry a workflow task's `core.ask` child asked, the inquiries of a whole workflow run in the order they were
 * asked, and waiting for an inquiry to reach a status. Inquiries are not in the generated API types yet, so these
 * reads go through the client's `raw` call and state the shape they rely on here.
 */
import type { ApiClient } from '../api/client';
import { noteTablesOf } from '../coverage';
import { database } from '../database';
import { ApiError, listItems, unwrapBody } from '../api/envelopes';
import { describeValue, eventually } from '../eventually';
import { isTerminal } from '../status';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';
import { execution, type Execution } from './executions';
import { describeChildren, fullChildrenOf, taskNameOf } from './workflows';

export type InquiryStatus = 'pending' | 'responded' | 'timeout' | 'cancelled';

/** InquiryResponse (contract §14.1): the fields the suite reads. */
export interface Inquiry {
  id: number;
  execution: number;
  prompt: string;
  response_schema: unknown;
  assigned_to: number | null;
  status: InquiryStatus | string;
  response: unknown;
  timeout_at: string | null;
  responded_at: string | null;
  created: string;
  updated: string;
}

/** InquirySummary (contract §14.1). */
export interface InquirySummary {
  id: number;
  execution: number;
  prompt: string;
  assigned_to: number | null;
  status: InquiryStatus | string;
  has_response: boolean;
  timeout_at: string | null;
  created: string;
}

/** One inquiry as `as` sees it (default: the scenario tenant); a non-200 answer is an error naming the inquiry. */
export async function inquiry(world: AttuneWorld, id: number, as: ApiClient = world.api): Promise<Inquiry> {
  const response = await as.raw('GET', `/api/v1/inquiries/${id}`);
  if (response.status !== 200) throw new ApiError('GET', `/api/v1/inquiries/${id}`, response.status, response.body, `reading inquiry ${id} as ${as.actor}`);
  return unwrapBody(response.body) as Inquiry;
}

/** The inquiries of one execution (`GET /executions/{id}/inquiries`), oldest first. */
export async function inquiriesOfExecution(world: AttuneWorld, executionId: number, as: ApiClient = world.api): Promise<InquirySummary[]> {
  const path = `/api/v1/executions/${executionId}/inquiries`;
  const response = await as.raw('GET', path);
  if (response.status !== 200) {
    throw new ApiError('GET', path, response.status, response.body, `listing the inquiries of execution ${executionId} as ${as.actor}`);
  }
  const rows = listItems<InquirySummary>(response.body as never);
  return rows.sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
}

/** A compact line for failure messages: `inquiry 7 (execution 12) pending, prompt "…", response null`. */
export function describeInquiry(row: Inquiry | InquirySummary): string {
  const response = 'response' in row ? ` response ${JSON.stringify(row.response)}` : ` has_response ${String(row.has_response)}`;
  return `inquiry ${row.id} (execution ${row.execution}) ${row.status}, prompt ${JSON.stringify(row.prompt)},${response}, timeout_at ${row.timeout_at ?? 'none'}`;
}

/** What a workflow task's gate looks like at one moment: the task's latest child and the inquiries it asked. */
export interface GateSnapshot {
  run: Execution;
  /** every child of the run, oldest first */
  children: Execution[];
  /** the task's latest child (undefined while the task has not started) */
  child?: Execution;
  inquiries: InquirySummary[];
}

export async function gateSnapshot(world: AttuneWorld, runId: number, task: string): Promise<GateSnapshot> {
  const [run, children] = await Promise.all([execution(world, runId), fullChildrenOf(world, runId)]);
  const ofTask = children.filter((row) => taskNameOf(row) === task);
  const child = ofTask[ofTask.length - 1];
  const inquiries = child ? await inquiriesOfExecution(world, child.id) : [];
  return { run, children, child, inquiries };
}

export function describeGate(value: GateSnapshot, task: string): string {
  return (
    `workflow run #${value.run.id} is "${value.run.status}" (result ${JSON.stringify(value.run.result)}); its children:\n` +
    `${describeChildren(value.children)}\n` +
    `the task "${task}": ${value.child ? `execution ${value.child.id} "${value.child.status}", result ${JSON.stringify(value.child.result)}` : 'not started'}; ` +
    `its inquiries: ${value.inquiries.length === 0 ? 'none' : value.inquiries.map(describeInquiry).join('; ')}`
  );
}

/**
 * Waits until the task's child has asked exactly one inquiry, and returns that inquiry (in full) with the child.
 * Gives up at once when the task's child ended without asking, asked more than once, or the run ended first.
 */
export async function awaitInquiryOfTask(
  world: AttuneWorld,
  runId: number,
  task: string,
  step: string,
): Promise<{ inquiry: Inquiry; child: Execution; snapshot: GateSnapshot }> {
  const found = await eventually(
    `[${step}] the task "${task}" of workflow run #${runId} to have asked exactly one inquiry`,
    () => gateSnapshot(world, runId, task),
    (value) => value.child !== undefined && value.inquiries.length === 1,
    {
      timeoutMs: timeouts.inquiryAsked,
      failFast: (value) => {
        if (value.inquiries.length > 1) return `the task asked ${value.inquiries.length} inquiries: ${describeGate(value, task)}`;
        if (value.child && value.inquiries.length === 0 && isTerminal(value.child.status)) {
          return `the task's execution ended without asking anything: ${describeGate(value, task)}`;
        }
        if (!value.child && isTerminal(value.run.status)) return `the run ended before the task started: ${describeGate(value, task)}`;
        return undefined;
      },
    },
  );
  const full = await inquiry(world, found.inquiries[0].id);
  return { inquiry: full, child: found.child!, snapshot: found };
}

/**
 * Waits until an inquiry has the status `wanted`; stops at once when it reached another status it can never leave
 * (every status but `pending` is final). `timeoutMs` is the caller's bound.
 */
export async function awaitInquiryStatus(
  world: AttuneWorld,
  id: number,
  wanted: InquiryStatus,
  timeoutMs: number,
  step: string,
): Promise<Inquiry> {
  return eventually(
    `[${step}] inquiry ${id} to be "${wanted}"`,
    () => inquiry(world, id),
    (value) => value.status === wanted,
    {
      timeoutMs,
      failFast: (value) => (value.status !== 'pending' && value.status !== wanted ? `it became "${value.status}": ${describeValue(value)}` : undefined),
    },
  );
}

/** Every inquiry asked by the children of a workflow run, in the order they were asked (`created`, then id). */
export async function inquiriesOfRun(world: AttuneWorld, runId: number): Promise<Array<{ task: string; child: Execution; inquiry: Inquiry }>> {
  const rows: Array<{ task: string; child: Execution; inquiry: Inquiry }> = [];
  for (const child of await fullChildrenOf(world, runId)) {
    for (const summary of await inquiriesOfExecution(world, child.id)) {
      rows.push({ task: taskNameOf(child), child, inquiry: await inquiry(world, summary.id) });
    }
  }
  return rows.sort((a, b) => Date.parse(a.inquiry.created) - Date.parse(b.inquiry.created) || a.inquiry.id - b.inquiry.id);
}

/** Milliseconds of an inquiry's RFC 3339 stamp; an error naming the field when it is missing or unreadable. */
export function stampOf(row: Inquiry, field: 'timeout_at' | 'responded_at' | 'created' | 'updated'): number {
  const value = row[field];
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new Error(`inquiry ${row.id}: ${field} is not a timestamp: ${JSON.stringify(value)} (${describeInquiry(row)})`);
  return at;
}

/** The pause a workflow run's own state records (`workflow_execution.paused`, `pause_reason`); @requires-database. */
export async function workflowPause(runId: number): Promise<{ rows: number; paused: unknown; pause_reason: unknown }> {
  const sql = 'select paused, pause_reason from attune.workflow_execution where execution = $1';
  noteTablesOf(sql);
  const result = await database().query<{ paused: boolean; pause_reason: string | null }>(sql, [runId]);
  const row = result.rows[0];
  return { rows: result.rows.length, paused: row?.paused, pause_reason: row?.pause_reason ?? null };
}
