/**
 * Questions about what `core.http_request` reported (internals §7.10: one JSON document with status_code, headers,
 * body, json, elapsed_ms, url, success, error). A completed run holds it as `result.data` (output_format json); a
 * failed run (transport failure, exit code 1) printed it too, but Attune parses stdout only after exit code 0, so
 * there it is read from the last non-blank line of `result.stdout`.
 */
import type { Execution } from './executions';
import { resultOf } from './outcomes';

export interface ReportedResponse {
  status_code: unknown;
  headers: unknown;
  body: unknown;
  json: unknown;
  elapsed_ms: unknown;
  url: unknown;
  success: unknown;
  error: unknown;
}

function isReport(value: unknown): value is ReportedResponse {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'status_code' in value;
}

/** The document the action reported; an error naming the result when there is none. */
export function reportedResponse(run: Execution): ReportedResponse {
  const result = resultOf(run);
  if (isReport(result.data)) return result.data;
  const stdout = typeof result.stdout === 'string' ? result.stdout : '';
  const last = stdout.split(/\r?\n/).filter((line) => line.trim() !== '').pop();
  if (last !== undefined) {
    try {
      const parsed = JSON.parse(last) as unknown;
      if (isReport(parsed)) return parsed;
    } catch {
      // not the action's document: reported below
    }
  }
  throw new Error(`execution ${run.id} (${run.status}) reported no HTTP response document: result ${JSON.stringify(run.result)}`);
}

/** A header of the reported response, looked up case-insensitively (undefined when absent). */
export function reportedHeader(report: ReportedResponse, name: string): unknown {
  const headers = report.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/** The URL the action must report for these parameters: `url` with `query_params` appended in order. */
export function expectedUrl(parameters: Record<string, unknown>): string {
  const url = new URL(String(parameters.url));
  const query = parameters.query_params;
  if (query && typeof query === 'object') {
    for (const [key, value] of Object.entries(query as Record<string, unknown>)) url.searchParams.append(key, String(value));
  }
  return url.toString();
}
