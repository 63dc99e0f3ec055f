/**
 * What this run can reach besides the REST API. Probed once per worker process (the promise is cached); a scenario
 * tagged `@requires-<capability>` whose capability is missing is skipped with the reason attached to the report.
 */
import { db } from './database';
import { NotificationStream } from './notifications';
import { probeQueue } from './queue';
import { target } from './target';
import { timeouts } from './timeouts';
import { adminAccessToken } from './worker-session';

export const CAPABILITIES = ['api', 'database', 'queue', 'notifier', 'service-control', 'container-runtime'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface CapabilityReport {
  available: boolean;
  reason: string;
}

export type Capabilities = Record<Capability, CapabilityReport>;

function message(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(message).join('; ') || error.message;
  return error instanceof Error ? error.message || error.name : String(error);
}

async function probe(description: string, run: () => Promise<void>): Promise<CapabilityReport> {
  try {
    await run();
    return { available: true, reason: `${description}: ok` };
  } catch (error) {
    return { available: false, reason: `${description}: ${message(error)}` };
  }
}

async function detect(): Promise<Capabilities> {
  const settings = target();
  const [api, database, queue, notifier] = await Promise.all([
    probe(`Attune API ${settings.apiUrl}/health`, async () => {
      const response = await fetch(`${settings.apiUrl}/health`, { signal: AbortSignal.timeout(timeouts.probe) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
    }),
    probe(`PostgreSQL ${redactUrl(settings.dbUrl)} (schema attune)`, () => db.ping()),
    probe(`RabbitMQ ${redactUrl(settings.amqpUrl)} (exchange attune.events)`, () => probeQueue(settings.amqpUrl)),
    probe(`notifier ${settings.wsUrl}`, async () => {
      const stream = await NotificationStream.open(settings.wsUrl, await adminAccessToken());
      await stream.close();
    }),
  ]);
  return {
    api,
    database,
    queue,
    notifier,
    'service-control': settings.serviceControl
      ? { available: true, reason: `service control via ${settings.serviceControl}` }
      : { available: false, reason: 'ATTUNE_SERVICE_CONTROL is not set (e.g. supervisor:http://127.0.0.1:18099)' },
    'container-runtime': settings.containerRuntime
      ? { available: true, reason: `container runtime ${settings.containerRuntime}` }
      : { available: false, reason: 'ATTUNE_E2E_CONTAINER_RUNTIME is not set' },
  };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

let detected: Promise<Capabilities> | undefined;

/** The capabilities of this worker (probed on first call, then cached). */
export function capabilities(): Promise<Capabilities> {
  detected ??= detect();
  return detected;
}

/** The capabilities a scenario's tags ask for (`@requires-database` → `database`). Unknown names are reported. */
export function requiredCapabilities(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith('@requires-')).map((t) => t.slice('@requires-'.length));
}

/** Why a scenario with these tags cannot run here, or undefined when it can. */
export async function missingCapabilityReason(tags: readonly string[]): Promise<string | undefined> {
  const wanted = requiredCapabilities(tags);
  if (wanted.length === 0) return undefined;
  const found = await capabilities();
  const reasons: string[] = [];
  for (const name of wanted) {
    const report = (found as Record<string, CapabilityReport | undefined>)[name];
    if (!report) reasons.push(`@requires-${name}: no such capability (known: ${CAPABILITIES.join(', ')})`);
    else if (!report.available) reasons.push(`@requires-${name}: ${report.reason}`);
  }
  return reasons.length ? `Skipped: this run lacks a capability the scenario needs.\n${reasons.join('\n')}` : undefined;
}
