/**
 * Outage drills on the target's infrastructure (scenarios tagged `@requires-infra-control`): restart its message broker
 * or its database through the control the run was given, `ATTUNE_INFRA_CONTROL=command:<template>` with `{action}`
 * (`restart-broker`, `restart-database`), e.g. `command:bash scripts/infra-control.sh {action}`. The restart is the
 * machine's own business: the template says how, and whether it touches anything shared (scripts/infra-control.sh).
 * Afterwards the platform must report ready again by itself; nothing here restarts a service.
 */
import { execFile } from 'node:child_process';
import { readiness } from '../questions/platform';
import { eventually } from '../eventually';
import { target } from '../target';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';

export type InfraAction = 'restart-broker' | 'restart-database' | 'stop-database' | 'start-database';

function template(): string {
  const m = /^command:(.+)$/.exec(target().infraControl);
  if (!m) throw new Error(`infrastructure control "${target().infraControl}" is not supported (expected command:<template with {action}>)`);
  return m[1].trim();
}

/** Runs one infrastructure action through the run's control (the transcript records it); throws when it fails. */
export async function controlInfrastructure(world: AttuneWorld, action: InfraAction): Promise<void> {
  const line = template().replace(/\{action\}/g, action);
  const at = Date.now();
  const outcome = await new Promise<{ code: number | string; output: string }>((resolve) => {
    execFile('/bin/sh', ['-c', line], { timeout: timeouts.infraRestart }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as NodeJS.ErrnoException).code ?? 1) : 0, output: `${stdout}${stderr}`.slice(-2000) });
    });
  });
  world.transcript.push({
    actor: 'infrastructure control',
    method: 'EXEC',
    path: action,
    url: line,
    status: outcome.code === 0 ? 200 : 500,
    durationMs: Date.now() - at,
    at: new Date().toISOString(),
    responseBody: outcome.output,
  });
  if (outcome.code !== 0) throw new Error(`${action}: \`${line}\` exited ${outcome.code}: ${outcome.output}`);
}

/** Runs the drill and waits until the platform reports ready again; returns how long that took (ms). */
export async function restartInfrastructure(world: AttuneWorld, action: InfraAction): Promise<number> {
  const at = Date.now();
  await controlInfrastructure(world, action);
  await awaitRecovery(world, action);
  return Date.now() - at;
}

/**
 * Takes the database away until `bringDatabaseBack`; registers bringing it back as a cleanup at once, so a failing
 * scenario never leaves the target without its database.
 */
export async function takeDatabaseAway(world: AttuneWorld): Promise<void> {
  world.onCleanup('bring the database back (start-database) if the scenario left it away', async () => {
    if (world.scratch[DATABASE_AWAY]) await bringDatabaseBack(world);
  });
  world.scratch[DATABASE_AWAY] = true;
  await controlInfrastructure(world, 'stop-database');
}

const DATABASE_AWAY = 'the database is away (taken by this scenario)';

/** Brings the database back and waits until the platform and the notifier report ready by themselves; returns ms. */
export async function bringDatabaseBack(world: AttuneWorld): Promise<number> {
  const at = Date.now();
  await controlInfrastructure(world, 'start-database');
  delete world.scratch[DATABASE_AWAY];
  await awaitRecovery(world, 'start-database');
  return Date.now() - at;
}

/** GET of the notifier's /health: its status and body. */
export async function notifierHealth(): Promise<{ status: number; body: string }> {
  const response = await fetch(notifierHealthUrl(target().wsUrl), { signal: AbortSignal.timeout(timeouts.probe) });
  return { status: response.status, body: await response.text() };
}

async function awaitRecovery(world: AttuneWorld, action: InfraAction): Promise<void> {
  await eventually(
    `the platform to report ready again by itself after ${action}`,
    () => readiness(world.anonymous),
    (r) => r.status === 200,
    { timeoutMs: timeouts.infraRecovered },
  );
  // the notifier hears the database on a connection of its own: its health says when it listens again
  await eventually(
    `the notifier (${notifierHealthUrl(target().wsUrl)}) to report healthy again by itself after ${action}`,
    notifierHealth,
    (r) => r.status === 200,
    { timeoutMs: timeouts.infraRecovered },
  );
}

/** ws://host:port/ws → http://host:port/health (wss → https). */
export function notifierHealthUrl(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/health';
  url.search = '';
  return url.toString();
}
