/**
 * Questions about what a Python / Node.js action reported of itself: the JSON it printed (`result.data`, parsed by
 * the target because the action's output_format is json), and where the module it loaded lies, compared with the
 * pack it belongs to. Over the wire only: the action reports, the suite reads the execution.
 */
import * as path from 'node:path';
import type { AttuneWorld } from '../world';
import { awaitOutcome, type Execution } from './executions';
import { resultOf } from './outcomes';

/** The action's parsed JSON output; throws (naming the result) when the target parsed no object. */
export function reportOf(run: Execution): Record<string, unknown> {
  const data = resultOf(run).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error(`execution ${run.id} of ${run.action_ref} has no JSON object in result.data (result ${JSON.stringify(run.result)})`);
  }
  return data as Record<string, unknown>;
}

/** Waits until the run completed, marks it asserted and returns its report. */
export async function completedReport(world: AttuneWorld, id: number): Promise<{ run: Execution; report: Record<string, unknown> }> {
  const run = await awaitOutcome(world, id, 'completed');
  world.markAsserted(id);
  return { run, report: reportOf(run) };
}

/** True when a path has a segment (a folder name) equal to `ref`: `/…/<ref>/python/…`, `/…/<ref>/node_modules/…`. */
export function pathHasSegment(filePath: string, ref: string): boolean {
  return filePath.split(/[\\/]+/).includes(ref);
}

/** A table cell as a JSON value when it parses as one (15, true, null, "x"), else the text itself ("1.0.0", "ada"). */
export function cellValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The module file a report names (`module_file`), checked to be an absolute path. */
export function moduleFileOf(run: Execution, report: Record<string, unknown>): string {
  const file = report.module_file;
  if (typeof file !== 'string' || !path.isAbsolute(file)) {
    throw new Error(`execution ${run.id} reported no absolute module_file (report ${JSON.stringify(report)})`);
  }
  return file;
}
