/**
 * Questions about secrets: what a secret probe (support/tasks/secret-probes.ts) reported about its process, and where
 * in a record the API answers a secret's value turns up.
 */
import type { Execution } from '../api/models';
import { stdoutOf } from './outcomes';

export interface ProbeReport {
  received_sha256: string;
  shell_variables?: Record<string, string>;
  default_for_missing?: unknown;
  missing_is_absent?: boolean;
  input_names: string[];
  environment: string[];
  child_environment: string[];
  environment_holding_value: string[];
  argv: string[];
  parent_argv: string[];
}

/** The probe's report: the last line of the run's stdout, as JSON. */
export function probeReport(run: Execution): ProbeReport {
  const lines = stdoutOf(run).split('\n').filter((line) => line.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  try {
    const parsed = JSON.parse(last) as ProbeReport;
    if (parsed && typeof parsed === 'object' && Array.isArray(parsed.environment)) return parsed;
  } catch {
    /* reported below */
  }
  throw new Error(`execution ${run.id} did not end its output with a probe report (result ${JSON.stringify(run.result)})`);
}

/** The text forms a value may take where it turns up: as it is, and inside JSON text (escaped). */
export function textForms(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const escaped = JSON.stringify(text).slice(1, -1);
  return [...new Set([text, escaped])].filter((t) => t !== '');
}

function holds(text: string, value: unknown): boolean {
  return textForms(value).some((form) => text.includes(form));
}

/**
 * The places in a JSON document (paths like `result.stdout`, `config.api_password`) whose text holds the value: any
 * string or object key, and any number, boolean or nested value whose JSON text does. Empty when it is nowhere.
 */
export function placesHolding(document: unknown, value: unknown, at = '$'): string[] {
  if (typeof document === 'string') return holds(document, value) ? [at] : [];
  if (Array.isArray(document)) return document.flatMap((item, i) => placesHolding(item, value, `${at}[${i}]`));
  if (document && typeof document === 'object') {
    return Object.entries(document as Record<string, unknown>).flatMap(([key, item]) => [
      ...(holds(key, value) ? [`${at} (a key)`] : []),
      ...placesHolding(item, value, `${at}.${key}`),
    ]);
  }
  return document !== null && document !== undefined && holds(JSON.stringify(document), value) ? [at] : [];
}

/** Variable names that would carry the secret called `name`: the name itself, PARAM_<NAME>, SECRET_<NAME> (any case). */
export function namesAfter(name: string): Set<string> {
  return new Set([name, `PARAM_${name}`, `SECRET_${name}`].map((n) => n.toLowerCase()));
}

/** What a probe's process showed of one secret; `SHOWS_NOTHING` is the only right answer. */
export interface Exposure {
  /** both environments were really listed (every action gets ATTUNE_EXEC_ID) */
  environmentsListed: boolean;
  /** both command lines were really read */
  commandLinesRead: boolean;
  variablesNamedAfterIt: string[];
  variablesHoldingIt: string[];
  argumentsHoldingIt: string[];
  parentArgumentsHoldingIt: string[];
}

export const SHOWS_NOTHING: Exposure = {
  environmentsListed: true,
  commandLinesRead: true,
  variablesNamedAfterIt: [],
  variablesHoldingIt: [],
  argumentsHoldingIt: [],
  parentArgumentsHoldingIt: [],
};

export function exposureOf(report: ProbeReport, name: string, value: unknown): Exposure {
  const named = namesAfter(name);
  return {
    environmentsListed: report.environment.includes('ATTUNE_EXEC_ID') && report.child_environment.includes('ATTUNE_EXEC_ID'),
    commandLinesRead: report.argv.length > 0 && report.parent_argv.length > 0,
    variablesNamedAfterIt: [...new Set([...report.environment, ...report.child_environment])].filter((n) => named.has(n.toLowerCase())),
    variablesHoldingIt: report.environment_holding_value,
    argumentsHoldingIt: report.argv.filter((arg) => holds(arg, value)),
    parentArgumentsHoldingIt: report.parent_argv.filter((arg) => holds(arg, value)),
  };
}
