/**
 * The one mapping from the plain words features use to Attune's execution statuses.
 *
 * Features say "succeeds", "fails", "times out", "is cancelled"; the API says `completed`, `failed`, `timeout`,
 * `cancelled`. The seed's older words (`succeeded`, `canceled`) are accepted here as synonyms and never sent anywhere.
 */
/** Attune's execution statuses (stable since Feb 2026; contract §12.3). */
export type ExecutionStatus =
  | 'requested'
  | 'scheduling'
  | 'scheduled'
  | 'running'
  | 'completed'
  | 'failed'
  | 'canceling'
  | 'cancelled'
  | 'timeout'
  | 'abandoned';

export const ALL_STATUSES: readonly ExecutionStatus[] = [
  'requested',
  'scheduling',
  'scheduled',
  'running',
  'completed',
  'failed',
  'canceling',
  'cancelled',
  'timeout',
  'abandoned',
];

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set<ExecutionStatus>([
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'abandoned',
]);

export function isTerminal(status: string | undefined | null): boolean {
  return status !== undefined && status !== null && TERMINAL_STATUSES.has(status as ExecutionStatus);
}

const WORDS: Record<string, ExecutionStatus> = {
  succeeds: 'completed',
  succeeded: 'completed',
  completes: 'completed',
  completed: 'completed',
  fails: 'failed',
  failed: 'failed',
  'times out': 'timeout',
  'timed out': 'timeout',
  'is cancelled': 'cancelled',
  'is canceled': 'cancelled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  'is abandoned': 'abandoned',
  abandoned: 'abandoned',
};

/** The regular expression behind the `{status}` parameter type (longest words first). */
export const STATUS_WORDS_PATTERN = Object.keys(WORDS)
  .sort((a, b) => b.length - a.length)
  .map((w) => w.replace(/ /g, '\\s+'))
  .join('|');

export function statusFromWords(words: string): ExecutionStatus {
  const key = words.trim().replace(/\s+/g, ' ').toLowerCase();
  const status = WORDS[key];
  if (!status) {
    throw new Error(`"${words}" is not an execution outcome this suite knows; use one of: ${Object.keys(WORDS).join(', ')}`);
  }
  return status;
}

/** The usual successful lifecycle, in order. `scheduling` is optional (some Attune versions never write it). */
export const SUCCESSFUL_LIFECYCLE: readonly ExecutionStatus[] = ['requested', 'scheduling', 'scheduled', 'running', 'completed'];
export const OPTIONAL_LIFECYCLE_STEPS: ReadonlySet<ExecutionStatus> = new Set<ExecutionStatus>(['scheduling']);

/**
 * Whether an observed status sequence follows an expected lifecycle exactly, allowing only the optional steps to be
 * missing (order is asserted, presence of optional steps is not). Returns a reason when it does not.
 */
export function lifecycleMismatch(observed: readonly string[], expected: readonly string[]): string | undefined {
  let i = 0;
  for (const status of observed) {
    while (i < expected.length && expected[i] !== status && OPTIONAL_LIFECYCLE_STEPS.has(expected[i] as ExecutionStatus)) {
      i += 1;
    }
    if (i >= expected.length || expected[i] !== status) {
      return `observed [${observed.join(' → ')}], expected [${expected.join(' → ')}] (only ${[...OPTIONAL_LIFECYCLE_STEPS].join(', ')} may be missing); "${status}" is out of place`;
    }
    i += 1;
  }
  const missing = expected.slice(i).filter((s) => !OPTIONAL_LIFECYCLE_STEPS.has(s as ExecutionStatus));
  if (missing.length > 0) {
    return `observed [${observed.join(' → ')}], expected [${expected.join(' → ')}]; missing ${missing.join(', ')}`;
  }
  return undefined;
}
