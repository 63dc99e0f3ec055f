/**
 * What this run can reach besides the REST API. Probed once per worker process (the promise is cached); a scenario
 * tagged `@requires-<capability>` whose capability is missing is skipped with the reason attached to the report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseUrlOf, listenOnFreePort } from './callback-server';
import { db } from './database';
import { NotificationStream } from './notifications';
import { probeQueue } from './queue';
import { projectRoot, target } from './target';
import { epochSecondsFromNow, signWith } from './signed-tokens';
import { timeouts } from './timeouts';
import { adminAccessToken, workerId } from './worker-session';

export const CAPABILITIES = [
  'api', 'database', 'queue', 'notifier', 'service-control', 'infra-control', 'container-runtime', 'key-ttl', 'action-helpers', 'service-logs',
  'integration-tokens', 'managed-sensors', 'token-signing', 'policies', 'local-sign-in-only', 'pack-registry',
] as const;
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

/** A capability the target profile switched off: unavailable, with that as the reason. */
async function offered(what: string): Promise<CapabilityReport> {
  return { available: false, reason: `no ${what}` };
}

async function detect(): Promise<Capabilities> {
  const settings = target();
  const [api, database, queue, notifier, keyTtl, workers, integrationTokens, managedSensors, tokenSigning, policies, packRegistry] = await Promise.all([
    probe(`Attune API ${settings.apiUrl}/health`, async () => {
      const response = await fetch(`${settings.apiUrl}/health`, { signal: AbortSignal.timeout(timeouts.probe) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
    }),
    settings.dbUrl === 'off'
      ? offered('database access (ATTUNE_DB_URL=off: the target profile offers none)')
      : probe(`PostgreSQL ${redactUrl(settings.dbUrl)} (schema attune)`, () => db.ping()),
    settings.amqpUrl === 'off'
      ? offered('queue access (ATTUNE_AMQP_URL=off: the target profile offers none)')
      : probe(`RabbitMQ ${redactUrl(settings.amqpUrl)} (exchange attune.events)`, () => probeQueue(settings.amqpUrl)),
    probe(`notifier ${settings.wsUrl}`, async () => {
      const stream = await NotificationStream.open(settings.wsUrl, await adminAccessToken());
      await stream.close();
    }),
    probe('key time-to-live (ttl_seconds on key create, docs/decisions.md)', () => probeKeyTtl(settings.apiUrl)),
    activeWorkerCapabilities(),
    probe('integration tokens (GET /api/v1/identities/{id}/integration-tokens, POST /auth/token-login)', () => probeIntegrationTokens(settings.apiUrl)),
    probeManagedSensors(settings.dbUrl),
    settings.jwtSecret === ''
      ? offered("JWT signing key of the target (security.jwt_secret / ATTUNE__SECURITY__JWT_SECRET unset): tokens that expire on the suite's schedule cannot be made")
      : probe("tokens signed with the target's JWT key (security.jwt_secret): the API accepts one for the admin", () => probeTokenSigning(settings.apiUrl, settings.jwtSecret)),
    probe('execution policies (GET /api/v1/policies, GET /api/v1/actions/{ref}/queue-stats)', () => probePolicies(settings.apiUrl)),
    probePackRegistry(settings.apiUrl, settings.callbackHost),
  ]);
  return {
    api,
    database,
    queue,
    notifier,
    'service-control': settings.serviceControl
      ? { available: true, reason: `service control via ${settings.serviceControl}` }
      : { available: false, reason: 'ATTUNE_SERVICE_CONTROL is not set (e.g. supervisor:http://127.0.0.1:18099)' },
    'infra-control': settings.infraControl
      ? { available: true, reason: `infrastructure control via ${settings.infraControl}` }
      : { available: false, reason: 'ATTUNE_INFRA_CONTROL is not set: the broker and the database are not ours to restart (npm test sets it for the stack it starts)' },
    'key-ttl': keyTtl,
    'container-runtime': settings.containerRuntime
      ? { available: true, reason: `container runtime ${settings.containerRuntime} (ATTUNE_E2E_CONTAINER_RUNTIME)` }
      : containerRuntimeFromWorkers(workers),
    'action-helpers': actionHelpersFromWorkers(workers),
    'service-logs': serviceLogs(settings.logDir),
    'integration-tokens': integrationTokens,
    'managed-sensors': managedSensors,
    'token-signing': tokenSigning,
    policies,
    'pack-registry': packRegistry,
    'local-sign-in-only': settings.singleSignOn.length
      ? { available: false, reason: `the target configures single sign-on (${settings.singleSignOn.join(', ')}): its sign-in settings are its own` }
      : { available: true, reason: 'the target configures no single sign-on (its configuration, or ATTUNE_E2E_SINGLE_SIGN_ON=none)' },
  };
}

/**
 * Managed pack sensors (internals §5.1): the sensor service runs a pack's own sensor processes. Attune's sensor service
 * registers as a worker of role `sensor`; the probe wants one active (recent heartbeat) that does not say
 * `capabilities.managed_sensors: false` and, when it lists `managed_sensors.runtimes`, lists python (the fixture's). ATTUNE_E2E_MANAGED_SENSORS=on|off decides instead when set (a target whose
 * database the run cannot read). Nothing is created.
 */
async function probeManagedSensors(dbUrl: string): Promise<CapabilityReport> {
  const declared = process.env.ATTUNE_E2E_MANAGED_SENSORS?.trim().toLowerCase();
  if (declared === 'on') return { available: true, reason: 'managed pack sensors declared by ATTUNE_E2E_MANAGED_SENSORS=on' };
  if (declared === 'off') return { available: false, reason: 'managed pack sensors switched off by ATTUNE_E2E_MANAGED_SENSORS=off' };
  if (dbUrl === 'off') return { available: false, reason: 'no database access to find a sensor service (set ATTUNE_E2E_MANAGED_SENSORS=on if the target runs pack sensors)' };
  return probe('managed pack sensors (an active sensor service, worker role sensor)', async () => {
    const services = await db.activeSensorServices();
    if (services.length === 0) throw new Error('no active worker of role sensor (is the sensor service running?)');
    // the fixture pack's sensor is Python: a service that lists its runtimes must list python
    const runsPython = (c: Record<string, unknown>): boolean => {
      const m = c.managed_sensors as { runtimes?: unknown } | boolean | undefined;
      if (m === false) return false;
      return !(typeof m === 'object' && m !== null && Array.isArray(m.runtimes)) || m.runtimes.includes('python');
    };
    const offering = services.filter((s) => runsPython(s.capabilities));
    if (offering.length === 0) {
      throw new Error(`no sensor service runs Python pack sensors (${services.map((s) => `${s.name}: ${JSON.stringify(s.capabilities.managed_sensors ?? null)}`).join('; ')})`);
    }
  });
}

/**
 * The configured JWT key is the target's: a token signed with it for the admin's identity (valid one minute) is
 * accepted by GET /auth/me, which answers with that identity. Nothing is created.
 */
async function probeTokenSigning(apiUrl: string, secret: string): Promise<void> {
  const me = async (token: string): Promise<{ status: number; id: unknown; login: unknown; text: string }> => {
    const response = await fetch(`${apiUrl}/auth/me`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeouts.probe) });
    const text = await response.text();
    let data: { id?: unknown; login?: unknown } = {};
    try {
      data = (JSON.parse(text) as { data?: { id?: unknown; login?: unknown } }).data ?? {};
    } catch {
      /* not JSON: reported below */
    }
    return { status: response.status, id: data.id, login: data.login, text };
  };
  const admin = await me(await adminAccessToken());
  if (admin.status !== 200 || typeof admin.id !== 'number' || typeof admin.login !== 'string') throw new Error(`GET /auth/me answered ${admin.status}: ${admin.text.slice(0, 200)}`);
  const signed = await me(signWith(secret, { sub: admin.id, login: admin.login, exp: epochSecondsFromNow(60) }));
  if (signed.status !== 200 || signed.id !== admin.id) {
    throw new Error(`a token signed with the configured key was answered ${signed.status} by GET /auth/me (not the target's key?): ${signed.text.slice(0, 200)}`);
  }
}

/**
 * Execution policies (Attune Late, contract §16): the admin lists the policies (200 with an `items` array; a target
 * without the policy API answers 404), and the queue statistics route answers 404 with a JSON error for an action
 * that does not exist (not 405/501). Nothing is created.
 */
/**
 * Pack registry indices (Attune Late: /api/v1/pack-indices). Listing them is not enough: the scenarios serve their
 * index and archives over plain HTTP on the callback host, which a target may refuse (Attune's `pack_registry`
 * settings refuse plain HTTP and private hosts unless allowed). So the probe serves a one-pack index of its own, adds
 * it as the administrator, asks which packs that index offers, and deletes it again: available only when the target
 * fetched the document and offers its pack. `ATTUNE_E2E_PACK_REGISTRY=off` switches the capability off without asking.
 */
async function probePackRegistry(apiUrl: string, callbackHost: string): Promise<CapabilityReport> {
  if (process.env.ATTUNE_E2E_PACK_REGISTRY?.trim().toLowerCase() === 'off') {
    return { available: false, reason: "pack registry switched off by ATTUNE_E2E_PACK_REGISTRY=off (the target may not fetch indices from the suite's plain-HTTP server)" };
  }
  return probe(`pack registry indices fetched from the suite's server on ${callbackHost}`, async () => {
    const token = await adminAccessToken();
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeouts.probe),
      });
      return { status: response.status, text: await response.text() };
    };
    const listed = await call('GET', '/api/v1/pack-indices');
    if (listed.status !== 200) throw new Error(`GET /api/v1/pack-indices answered ${listed.status}`);
    const packRef = `e2e_registry_probe_${process.pid}`;
    const { server, port } = await listenOnFreePort(callbackHost, (req, res) => {
      if (req.url !== '/index.json') {
        res.writeHead(404).end();
        return;
      }
      const doc = {
        registry_name: 'acceptance suite capability probe',
        registry_url: baseUrlOf(callbackHost, port),
        version: '1.0',
        last_updated: '2024-01-01T00:00:00Z',
        packs: [{ ref: packRef, label: 'probe', description: 'probe', version: '1.0.0', author: 'attune-acceptance', license: 'Apache-2.0', keywords: [], runtime_deps: [], install_sources: [], contents: { actions: [], sensors: [], triggers: [], rules: [], workflows: [] } }],
      };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc));
    });
    try {
      const added = await call('POST', '/api/v1/pack-indices', { url: `${baseUrlOf(callbackHost, port)}/index.json`, name: `capability probe ${process.pid}` });
      if (added.status !== 201) throw new Error(`adding an index served on ${callbackHost} answered ${added.status}: ${added.text.slice(0, 200)}`);
      const id = (JSON.parse(added.text) as { data?: { id?: unknown } }).data?.id;
      if (typeof id !== 'number') throw new Error(`adding an index answered no id: ${added.text.slice(0, 200)}`);
      try {
        const offered = await call('GET', `/api/v1/pack-indices/packs?registry_id=${id}`);
        if (offered.status !== 200 || !offered.text.includes(packRef)) {
          throw new Error(`the packs of the probe's index answered ${offered.status} without its pack: ${offered.text.slice(0, 200)}`);
        }
      } finally {
        await call('DELETE', `/api/v1/pack-indices/${id}`);
      }
    } finally {
      server.close();
    }
  });
}

async function probePolicies(apiUrl: string): Promise<void> {
  const token = await adminAccessToken();
  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${apiUrl}${path}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeouts.probe) });
    return { status: response.status, text: await response.text() };
  };
  const list = await get('/api/v1/policies?page_size=1');
  let items: unknown;
  try {
    items = (JSON.parse(list.text) as { items?: unknown }).items;
  } catch {
    items = undefined;
  }
  if (list.status !== 200 || !Array.isArray(items)) throw new Error(`GET /api/v1/policies answered ${list.status}: ${list.text.slice(0, 200)}`);
  const stats = await get('/api/v1/actions/e2e_capability.no_such_action/queue-stats');
  if (stats.status !== 404) throw new Error(`GET /api/v1/actions/{ref}/queue-stats of a missing action answered ${stats.status}, not 404`);
}

/**
 * Integration tokens (Attune Jun+): the admin lists its own identity's tokens (200 with a `data` array) and an unknown
 * token is refused by /auth/token-login with 401 (a target without the route answers 404). Nothing is created.
 */
async function probeIntegrationTokens(apiUrl: string): Promise<void> {
  const token = await adminAccessToken();
  const get = async (path: string, init: RequestInit = {}): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${apiUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeouts.probe) });
    return { status: response.status, text: await response.text() };
  };
  const me = await get('/auth/me', { headers: { Authorization: `Bearer ${token}` } });
  const identity = (JSON.parse(me.text) as { data?: { id?: unknown } }).data?.id;
  if (me.status !== 200 || typeof identity !== 'number') throw new Error(`GET /auth/me answered ${me.status}: ${me.text}`);
  const list = await get(`/api/v1/identities/${identity}/integration-tokens`, { headers: { Authorization: `Bearer ${token}` } });
  if (list.status !== 200 || !Array.isArray((JSON.parse(list.text) as { data?: unknown }).data)) {
    throw new Error(`GET /api/v1/identities/${identity}/integration-tokens answered ${list.status}: ${list.text.slice(0, 200)}`);
  }
  const login = await get('/auth/token-login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: 'attune_it_capability_probe_unknown' }),
  });
  if (login.status !== 401) throw new Error(`POST /auth/token-login with an unknown token answered ${login.status}, not 401: ${login.text.slice(0, 200)}`);
}

/**
 * What the target's active workers say they offer (`worker.capabilities`, read from the database; docs/runtimes.md):
 * `runtimes` (names), `container: {available, tool, reason}` and `action_helpers` (languages with a get_secret helper).
 * Undefined when the database cannot be read; then only the environment variables decide.
 */
interface WorkerReport {
  name: string;
  capabilities: { runtimes?: unknown; container?: { available?: unknown; tool?: unknown; reason?: unknown }; action_helpers?: unknown };
}

async function activeWorkerCapabilities(): Promise<WorkerReport[] | string> {
  try {
    return (await db.activeWorkerCapabilities()) as WorkerReport[];
  } catch (error) {
    return `the workers' capabilities could not be read from the database: ${message(error)}`;
  }
}

function containerRuntimeFromWorkers(workers: WorkerReport[] | string): CapabilityReport {
  if (typeof workers === 'string') return { available: false, reason: `ATTUNE_E2E_CONTAINER_RUNTIME is not set, and ${workers}` };
  const offering = workers.find((w) => Array.isArray(w.capabilities.runtimes) && w.capabilities.runtimes.includes('container'));
  if (offering) {
    return { available: true, reason: `worker ${offering.name} offers the container runtime (${String(offering.capabilities.container?.tool ?? 'tool not named')})` };
  }
  const why = workers.map((w) => `${w.name}: ${String(w.capabilities.container?.reason ?? 'no container runtime reported')}`).join('; ');
  return { available: false, reason: `no active worker offers the container runtime (${why || 'no active worker'})` };
}

function actionHelpersFromWorkers(workers: WorkerReport[] | string): CapabilityReport {
  if (process.env.ATTUNE_E2E_ACTION_HELPERS === '1') return { available: true, reason: 'ATTUNE_E2E_ACTION_HELPERS=1' };
  if (typeof workers === 'string') return { available: false, reason: `ATTUNE_E2E_ACTION_HELPERS is not set, and ${workers}` };
  const offering = workers.find((w) => {
    const langs = w.capabilities.action_helpers;
    return Array.isArray(langs) && langs.includes('python') && langs.includes('node');
  });
  return offering
    ? { available: true, reason: `worker ${offering.name} provides the get_secret helpers for Python and Node.js` }
    : { available: false, reason: 'no active worker reports get_secret helpers for Python and Node.js (capabilities.action_helpers)' };
}

/** The services' log files are on this machine (secrets must never reach them). */
function serviceLogs(logDir: string): CapabilityReport {
  try {
    const logs = fs.readdirSync(logDir).filter((f) => f.endsWith('.log'));
    if (logs.length === 0) return { available: false, reason: `no *.log files in ${logDir} (ATTUNE_E2E_LOG_DIR)` };
    return { available: true, reason: `service logs in ${logDir}: ${logs.sort().join(', ')}` };
  } catch (error) {
    return { available: false, reason: `the service logs are not on this machine (${logDir}: ${message(error)}; set ATTUNE_E2E_LOG_DIR)` };
  }
}

/**
 * `key-ttl`: this project's addition `ttl_seconds` on key create (Attune 0.2.1 ignores the unknown field). The admin
 * creates a throw-away key with `ttl_seconds: 1`; the target supports TTLs when its answer carries an `expires_at`.
 * The key is deleted at once (a 404 there only means it expired already).
 */
async function probeKeyTtl(apiUrl: string): Promise<void> {
  const token = await adminAccessToken();
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeouts.probe),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the reason
    }
    return { status: response.status, body: parsed };
  };
  const me = await call('GET', '/auth/me');
  const identity = (me.body as { data?: { id?: unknown } } | undefined)?.data?.id;
  if (me.status !== 200 || typeof identity !== 'number') throw new Error(`GET /auth/me answered ${me.status}: ${JSON.stringify(me.body)}`);
  const name = `key_ttl_${workerId().toLowerCase().replace(/[^a-z0-9]/g, '')}_${Date.now().toString(36)}`;
  const ref = `e2e_capability.${name}`;
  const created = await call('POST', '/api/v1/keys', {
    ref, name, value: 'capability probe', owner_type: 'identity', owner_identity: identity, ttl_seconds: 1,
  });
  try {
    if (created.status !== 201 && created.status !== 200) {
      throw new Error(`creating a key with ttl_seconds answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
    const expiresAt = (created.body as { data?: { expires_at?: unknown } } | undefined)?.data?.expires_at;
    if (typeof expiresAt !== 'string' || expiresAt === '') {
      throw new Error('the target ignores ttl_seconds on key create (its answer carries no expires_at)');
    }
  } finally {
    if (created.status === 201 || created.status === 200) {
      const removed = await call('DELETE', `/api/v1/keys/${encodeURIComponent(ref)}`);
      if (removed.status !== 200 && removed.status !== 204 && removed.status !== 404) {
        throw new Error(`deleting the probe key ${ref} answered ${removed.status}: ${JSON.stringify(removed.body)}`);
      }
    }
  }
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

/**
 * The capability table of this run, probed once at the start: written to reports/capabilities.json for the report's
 * "what the target offered" table, and printed once (by the first worker) so the terminal says up front what will
 * be skipped and why.
 */
export async function publishCapabilityTable(): Promise<void> {
  const found = await capabilities();
  const rows = CAPABILITIES.map((name) => ({ name, available: found[name].available, reason: found[name].reason }));
  const dir = path.join(projectRoot, 'reports');
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.capabilities-${process.pid}.json`);
  fs.writeFileSync(temp, `${JSON.stringify({ probed: new Date().toISOString(), capabilities: rows }, null, 2)}\n`);
  fs.renameSync(temp, path.join(dir, 'capabilities.json'));
  const worker = process.env.CUCUMBER_WORKER_ID;
  if (worker === undefined || worker === '0') {
    const missing = rows.filter((r) => !r.available);
    const lines = rows.map((r) => `  ${r.available ? 'yes' : 'no '}  ${r.name.padEnd(18)} ${r.reason}`);
    process.stdout.write(`\nWhat the target offers (${missing.length ? `${missing.length} missing: their scenarios are skipped` : 'everything'}):\n${lines.join('\n')}\n\n`);
  }
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
