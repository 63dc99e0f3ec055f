/** Wire vocabulary shared by every service: enum labels exactly as Attune stores and sends them. */

export const EXECUTION_STATUSES = [
  'requested', 'scheduling', 'scheduled', 'running', 'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_EXECUTION_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['completed', 'failed', 'cancelled', 'timeout', 'abandoned']);
export function isExecutionStatus(v: unknown): v is ExecutionStatus {
  return typeof v === 'string' && (EXECUTION_STATUSES as readonly string[]).includes(v);
}

export const ENFORCEMENT_STATUSES = ['created', 'processed', 'disabled'] as const;
export type EnforcementStatus = (typeof ENFORCEMENT_STATUSES)[number];

export const INQUIRY_STATUSES = ['pending', 'responded', 'timeout', 'cancelled'] as const;
export const OWNER_TYPES = ['system', 'identity', 'pack', 'action', 'sensor'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

export const EXCHANGES = {
  events: 'attune.events',
  executions: 'attune.executions',
  notifications: 'attune.notifications',
  dlx: 'attune.dlx',
} as const;

/** Message types (PascalCase, case-sensitive) with their exchange and canonical routing key. */
export const MESSAGE_ROUTES = {
  EventCreated: { exchange: EXCHANGES.events, routingKey: 'event.created' },
  EnforcementCreated: { exchange: EXCHANGES.executions, routingKey: 'enforcement.created' },
  ExecutionRequested: { exchange: EXCHANGES.executions, routingKey: 'execution.requested' },
  ExecutionStatusChanged: { exchange: EXCHANGES.executions, routingKey: 'execution.status.changed' },
  ExecutionCompleted: { exchange: EXCHANGES.executions, routingKey: 'execution.completed' },
  ExecutionCancelRequested: { exchange: EXCHANGES.executions, routingKey: 'execution.cancel' },
  InquiryCreated: { exchange: EXCHANGES.executions, routingKey: 'inquiry.created' },
  InquiryResponded: { exchange: EXCHANGES.executions, routingKey: 'inquiry.responded' },
  NotificationCreated: { exchange: EXCHANGES.notifications, routingKey: 'notification.created' },
  RuleCreated: { exchange: EXCHANGES.events, routingKey: 'rule.created' },
  RuleEnabled: { exchange: EXCHANGES.events, routingKey: 'rule.enabled' },
  RuleDisabled: { exchange: EXCHANGES.events, routingKey: 'rule.disabled' },
  RuleDeleted: { exchange: EXCHANGES.events, routingKey: 'rule.deleted' },
  PackRegistered: { exchange: EXCHANGES.events, routingKey: 'pack.registered' },
  PackDeleted: { exchange: EXCHANGES.events, routingKey: 'pack.deleted' },
} as const;
export type MessageType = keyof typeof MESSAGE_ROUTES;

/** Fixed queues (durable) with their bindings; consumers own them, every service may declare them. */
export const QUEUES = {
  executorEvents: { name: 'attune.executor.events.queue', exchange: EXCHANGES.events, keys: ['event.created'], dlx: true },
  enforcements: { name: 'attune.enforcements.queue', exchange: EXCHANGES.executions, keys: ['enforcement.#'], dlx: true },
  executionRequests: { name: 'attune.execution.requests.queue', exchange: EXCHANGES.executions, keys: ['execution.requested'], dlx: true },
  executionStatus: { name: 'attune.execution.status.queue', exchange: EXCHANGES.executions, keys: ['execution.status.changed'], dlx: true },
  executionCompleted: { name: 'attune.execution.completed.queue', exchange: EXCHANGES.executions, keys: ['execution.completed'], dlx: true },
  inquiryResponses: { name: 'attune.inquiry.responses.queue', exchange: EXCHANGES.executions, keys: ['inquiry.responded'], dlx: true },
  rulesLifecycle: {
    name: 'attune.rules.lifecycle.queue',
    exchange: EXCHANGES.events,
    keys: ['rule.created', 'rule.enabled', 'rule.disabled', 'rule.deleted', 'pack.registered', 'pack.deleted'],
    dlx: false,
  },
} as const;
export type QueueSpec = { name: string; exchange: string; keys: readonly string[]; dlx: boolean };

export const WORKER_QUEUE_TTL_MS = 300_000;
export const workerExecutionsQueue = (workerId: number) => `worker.${workerId}.executions`;
export const workerDispatchKey = (workerId: number) => `execution.dispatch.worker.${workerId}`;
export const workerCancelQueue = (workerId: number) => `worker.${workerId}.cancel`;
export const workerCancelKey = (workerId: number) => `execution.cancel.worker.${workerId}`;

/** pg_notify channels the notifier LISTENs to. */
export const NOTIFY_CHANNELS = [
  'event_created',
  'enforcement_created',
  'enforcement_status_changed',
  'execution_created',
  'execution_status_changed',
  'workflow_execution_status_changed',
  'inquiry_created',
  'inquiry_responded',
  'inquiry_timeout',
  'artifact_created',
  'artifact_updated',
  'rule_lifecycle_changed',
  'attune_notifications',
] as const;

/** Timer triggers served by the built-in timer sensor. */
export const TIMER_TRIGGERS = ['core.intervaltimer', 'core.crontimer', 'core.datetimetimer'] as const;
export const TIMER_SENSOR_REF = 'core.timer_sensor';
