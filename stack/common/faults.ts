/**
 * The fault catalog: deliberate, named breakages of the reference stack, switched on with
 * ATTUNE_FAULTS=name[,name…] in a service's environment. They exist only to prove that the
 * acceptance suite notices when a behaviour it guards is broken (`npm run verify:faults`).
 * With ATTUNE_FAULTS unset every check is a cheap `false`.
 */
export const FAULTS = {
  'timer-interval-double': 'sensor: interval timers fire at twice the configured interval',
  'timer-ignores-disable': 'sensor: a disabled rule keeps firing',
  'cron-off-by-one-second': 'sensor: cron timers fire one second after the matching second',
  'datetime-fires-twice': 'sensor: a date timer fires a second time one second later',
  'datetime-fires-past': 'sensor: a date timer in the past fires immediately',
  'template-drops-types': 'executor: whole-string templates are rendered as strings',
  'enforcement-unlinked': 'executor: enforcements are written without their event id',
  'rule-conditions-ignored': 'executor: rule conditions are not evaluated (every rule matches)',
  'duplicate-execution': 'executor: each enforcement produces two executions',
  'skip-running-status': 'worker: executions go from scheduled straight to a terminal status',
  'exit-code-lost': 'worker: a failed action is recorded with exit_code 1 whatever it returned',
  'stderr-not-captured': 'worker: a failed action is recorded without its stderr text as error',
  'webhook-payload-flattened': 'api: webhook payloads lose their nested objects',
  'keys-stored-plaintext': 'api: encrypted keys are stored in plaintext',
  'keys-ttl-ignored': 'api: key TTLs are never enforced',
  'tenant-lists-unscoped': 'api: list endpoints show every identity\'s rows',
  'notifier-drops-completed': 'notifier: completion frames are not delivered',
  'wrong-password-accepted': 'api: any password logs in',
} as const;

export type FaultName = keyof typeof FAULTS;

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
