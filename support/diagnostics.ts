/**
 * What the report gets when a scenario fails: the API transcript, the scenario's executions (with results), their
 * enforcements and events, the notification frames and queue messages it captured, and the tail of the stack's logs
 * when they are on this machine. Collected with the admin client so RBAC cannot hide evidence.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listItems, unwrapBody } from './api/envelopes';
import type { RememberedRule } from './tasks/rules';
import type { AttuneWorld } from './world';

const LOG_TAIL_LINES = 80;
const MAX_EXECUTIONS = 25;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

async function safely<T>(what: string, run: () => Promise<T>): Promise<T | { diagnosticError: string }> {
  try {
    return await run();
  } catch (error) {
    return { diagnosticError: `${what}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function adminGet(world: AttuneWorld, pathAndQuery: string): Promise<unknown> {
  const response = await world.admin.raw('GET', pathAndQuery);
  return response.ok ? response.body : { status: response.status, body: response.body };
}

async function automationChain(world: AttuneWorld): Promise<unknown> {
  const rules = world.recallAll<RememberedRule>('rule');
  const chain: Record<string, unknown> = {};
  for (const [name, remembered] of rules) {
    const ref = encodeURIComponent(remembered.row.ref);
    chain[name] = {
      rule: remembered.row,
      disabledAt: remembered.disabledAt ? new Date(remembered.disabledAt).toISOString() : undefined,
      events: await safely('events', async () => listItems(unwrapBody(await adminGet(world, `/api/v1/events?rule_ref=${ref}&per_page=50`)) as never)),
      enforcements: await safely('enforcements', async () =>
        listItems(unwrapBody(await adminGet(world, `/api/v1/enforcements?rule_ref=${ref}&per_page=50`)) as never),
      ),
      executions: await safely('executions', async () =>
        listItems(unwrapBody(await adminGet(world, `/api/v1/executions?rule_ref=${ref}&per_page=50`)) as never),
      ),
    };
  }
  return chain;
}

async function executionDetails(world: AttuneWorld): Promise<unknown[]> {
  const ids = [...world.executionIds].sort((a, b) => a - b).slice(-MAX_EXECUTIONS);
  const details: unknown[] = [];
  for (const id of ids) {
    details.push(await safely(`execution ${id}`, async () => unwrapBody(await adminGet(world, `/api/v1/executions/${id}`))));
  }
  return details;
}

export function logTails(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  if (files.length === 0) return undefined;
  return files
    .map((file) => {
      const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
      const tail = lines.slice(-LOG_TAIL_LINES - 1).join('\n');
      return `===== ${file} (last ${LOG_TAIL_LINES} lines) =====\n${tail}`;
    })
    .join('\n\n');
}

export async function attachDiagnostics(world: AttuneWorld): Promise<void> {
  const attach = (name: string, body: string, mediaType = 'application/json'): void => {
    world.attach(body, { mediaType, fileName: name });
  };
  attach('api-transcript.json', json(world.transcript));
  if (world.hasTenant) {
    attach('tenant.json', json({ id: world.tenant.id, login: world.tenant.login, persona: world.tenant.persona, pack: world.packRef }));
  }
  if (world.recallAll('rule').length > 0) attach('automation-chain.json', json(await automationChain(world)));
  if (world.executionIds.size > 0) attach('executions.json', json(await executionDetails(world)));
  if (world.notifications) {
    attach('notification-frames.json', json({ filters: world.notifications.filters, frames: world.notifications.frames }));
  }
  if (world.queueTap) attach('queue-messages.json', json(world.queueTap.messages.slice(-200)));
  const logs = logTails(world.settings.logDir);
  if (logs) attach('stack-logs-tail.txt', logs, 'text/plain');
}
