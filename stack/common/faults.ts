/**
 * The fault catalog: deliberate, named breakages of the reference stack, switched on with
 * ATTUNE_FAULTS=name[,name…] in a service's environment. They exist only to prove that the
 * acceptance suite notices when a behaviour it guards is broken (`npm run verify:faults`).
 * With ATTUNE_FAULTS unset every check is a cheap `false`.
 *
 * Each entry names the feature files whose scenarios must FAIL while the fault is active
 * (`guardedBy`, paths from the project root, optionally `path:line`). An entry with an empty
 * `guardedBy` is not yet wired into the stack and is skipped by the verification.
 */
export const FAULTS: Record<string, { description: string; guardedBy: string[] }> = {
  'timer-interval-double': { description: 'sensor: interval timers fire at twice the configured interval', guardedBy: [] },
  'timer-ignores-disable': { description: 'sensor: a disabled rule keeps firing', guardedBy: [] },
  'cron-off-by-one-second': { description: 'sensor: cron timers fire one second after the matching second', guardedBy: [] },
  'datetime-fires-twice': { description: 'sensor: a date timer fires a second time one second later', guardedBy: [] },
  'datetime-fires-past': { description: 'sensor: a date timer in the past fires immediately', guardedBy: [] },
  'template-drops-types': { description: 'executor: whole-string templates are rendered as strings', guardedBy: [] },
  'enforcement-unlinked': { description: 'executor: enforcements are written without their event id', guardedBy: [] },
  'rule-conditions-ignored': { description: 'executor: rule conditions are not evaluated (every rule matches)', guardedBy: [] },
  'duplicate-execution': { description: 'executor: each enforcement produces two executions', guardedBy: [] },
  'skip-running-status': { description: 'worker: executions go from scheduled straight to a terminal status', guardedBy: [] },
  'exit-code-lost': { description: 'worker: a failed action is recorded with exit_code 1 whatever it returned', guardedBy: [] },
  'stderr-not-captured': { description: 'worker: a failed action is recorded without its stderr text as error', guardedBy: [] },
  'webhook-payload-flattened': { description: 'api: webhook payloads lose their nested objects', guardedBy: [] },
  'keys-stored-plaintext': { description: 'api: encrypted keys are stored in plaintext', guardedBy: [] },
  'keys-ttl-ignored': { description: 'api: key TTLs are never enforced', guardedBy: [] },
  'tenant-lists-unscoped': { description: 'api: list endpoints show every identity\'s rows', guardedBy: [] },
  'notifier-drops-completed': { description: 'notifier: completion frames are not delivered', guardedBy: [] },
  'wrong-password-accepted': { description: 'api: any password logs in', guardedBy: [] },
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
