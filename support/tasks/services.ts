/**
 * Acts on the target's services (scenarios tagged `@requires-service-control`): stop and start one service through the
 * control the run was given (`ATTUNE_SERVICE_CONTROL`): `supervisor:<url>` (the reference stack's supervisor,
 * `POST <url>/services/<name>/stop|start|kill`) or `command:<template>`, a command line in which `{action}` and
 * `{service}` are filled in (e.g. `command:docker compose -f docker-compose.e2e.yaml {action} {service}`; it must exit
 * 0 once the action is done). A stopped or killed service is always started again by cleanup. Further workers are the services `worker-2` … (the supervisor starts them on demand); a scenario that starts
 * them stops them again at cleanup, so the next scenario finds the platform as it was.
 */
import { execFile } from 'node:child_process';
import { target } from '../target';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';

export type ServiceName = 'api' | 'executor' | 'worker' | 'sensor' | 'notifier' | `worker-${number}`;

type ControlAction = 'stop' | 'start' | 'kill';

function supervisorUrl(): string {
  const control = target().serviceControl;
  const match = /^supervisor:(https?:\/\/.+)$/.exec(control);
  if (!match) {
    throw new Error(`service control "${control}" is not supported (expected supervisor:http://host:port or command:<template>)`);
  }
  return match[1].replace(/\/+$/, '');
}

/** `command:<template>` control: the template with {action} and {service} filled in, run by /bin/sh. */
function commandTemplate(): string | undefined {
  const m = /^command:(.+)$/.exec(target().serviceControl);
  return m ? m[1].trim() : undefined;
}

async function runCommand(world: AttuneWorld, template: string, service: ServiceName, action: ControlAction): Promise<void> {
  const line = template.replace(/\{action\}/g, action).replace(/\{service\}/g, service);
  const at = Date.now();
  const outcome = await new Promise<{ code: number | string; output: string }>((resolve) => {
    execFile('/bin/sh', ['-c', line], { timeout: timeouts.serviceControl }, (error, stdout, stderr) => {
      const code = error ? ((error as NodeJS.ErrnoException & { code?: number | string }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.slice(-2000) });
    });
  });
  world.transcript.push({
    actor: 'service control',
    method: 'EXEC',
    path: `/services/${service}/${action}`,
    url: line,
    status: outcome.code === 0 ? 200 : 500,
    durationMs: Date.now() - at,
    at: new Date().toISOString(),
    responseBody: outcome.output,
  });
  if (outcome.code !== 0) throw new Error(`${action} ${service}: \`${line}\` exited ${outcome.code}: ${outcome.output}`);
}

async function control(world: AttuneWorld, service: ServiceName, action: ControlAction): Promise<void> {
  const template = commandTemplate();
  if (template) return runCommand(world, template, service, action);
  const url = `${supervisorUrl()}/services/${service}/${action}`;
  const at = Date.now();
  let status = 0;
  let text = '';
  try {
    const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeouts.serviceControl) });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new Error(`${action} ${service}: POST ${url} failed after ${Date.now() - at} ms: ${(error as Error).message}`);
  } finally {
    world.transcript.push({
      actor: 'service control',
      method: 'POST',
      path: `/services/${service}/${action}`,
      url,
      status: status || 'network-error',
      durationMs: Date.now() - at,
      at: new Date().toISOString(),
      responseBody: text.slice(0, 2000),
    });
  }
  if (status !== 200) throw new Error(`${action} ${service}: POST ${url} answered ${status}: ${text}`);
}

/** Stops a service; cleanup starts it again (a no-op when a step already did). */
export async function stopService(world: AttuneWorld, service: ServiceName): Promise<void> {
  world.onCleanup(`start the ${service} again`, () => control(world, service, 'start'));
  await control(world, service, 'stop');
}

export async function startService(world: AttuneWorld, service: ServiceName): Promise<void> {
  await control(world, service, 'start');
}

/** Kills a service outright (SIGKILL: no shutdown, no goodbye to the database), as a crash would; cleanup starts it. */
export async function killService(world: AttuneWorld, service: ServiceName): Promise<void> {
  world.onCleanup(`start the ${service} again`, () => control(world, service, 'start'));
  await control(world, service, 'kill');
}

/**
 * Makes the platform run `count` workers: `worker` plus `worker-2` … `worker-<count>`, each started and stopped
 * again (gracefully, so it deregisters) at cleanup. Returns the service names in order.
 */
export async function runWorkers(world: AttuneWorld, count: number): Promise<ServiceName[]> {
  const names: ServiceName[] = ['worker'];
  for (let n = 2; n <= count; n++) {
    const name: ServiceName = `worker-${n}`;
    world.onCleanup(`stop ${name}`, () => control(world, name, 'stop'));
    await control(world, name, 'start');
    names.push(name);
  }
  return names;
}

export interface ServiceState {
  pid: number | null;
  state: string;
  restarts: number;
}

/** Each service's process as the service control sees it (pid, state, restarts so far). */
export async function serviceStates(): Promise<Record<string, ServiceState>> {
  if (commandTemplate()) throw new Error('the process ids of services are known only to a supervisor: service control by command cannot tell them');
  const url = `${supervisorUrl()}/services`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeouts.serviceControl) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { services?: Record<string, { pid?: number | null; state?: string; restarts?: number }> };
  const out: Record<string, ServiceState> = {};
  for (const [name, s] of Object.entries(body.services ?? {})) out[name] = { pid: s.pid ?? null, state: s.state ?? 'unknown', restarts: s.restarts ?? 0 };
  return out;
}
