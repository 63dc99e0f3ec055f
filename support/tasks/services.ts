/**
 * Acts on the target's services (scenarios tagged `@requires-service-control`): stop and start one service through the
 * control the run was given (`ATTUNE_SERVICE_CONTROL`, today only `supervisor:<url>`: the reference stack's
 * supervisor, `POST <url>/services/<name>/stop|start`). A stopped service is always started again by cleanup.
 */
import { target } from '../target';
import { timeouts } from '../timeouts';
import type { AttuneWorld } from '../world';

export type ServiceName = 'api' | 'executor' | 'worker' | 'sensor' | 'notifier';

function supervisorUrl(): string {
  const control = target().serviceControl;
  const match = /^supervisor:(https?:\/\/.+)$/.exec(control);
  if (!match) {
    throw new Error(`service control "${control}" is not supported (expected supervisor:http://host:port)`);
  }
  return match[1].replace(/\/+$/, '');
}

async function control(world: AttuneWorld, service: ServiceName, action: 'stop' | 'start'): Promise<void> {
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
