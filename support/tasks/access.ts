/**
 * Acts for the access scenarios (RBAC matrix, system packs): roles bound to Attune's permission sets, extra named
 * identities ("Rolf" without any role, "Ada" holding core.admin through a role), and the matrix itself: the things an
 * identity owns, and one attempt per (resource, verb) cell with a check that the cell did, or did not, take effect.
 */
import type { ApiClient, RawResponse } from '../api/client';
import { ApiError, listItems, unwrapBody } from '../api/envelopes';
import { allPages, PAGE_SIZE } from '../questions/pages';
import type { AttuneWorld } from '../world';
import { createAction } from './actions';
import { createKey } from './keys';
import { askDirectly } from './inquiries';
import { grantPersona, newCredentials, registerDisposableIdentity, revokeAssignment, signIn } from './identities';
import { createPack, ensureOwnPack } from './packs';
import { createRule } from './rules';
import { createTrigger } from './webhooks';
import { awaitOutcome } from '../questions/executions';
import { runAction } from './executions';

// ---- roles --------------------------------------------------------------------------------------------------------

/** The id of a permission set, from the admin's `GET /api/v1/permissions/sets` (a bare array per the contract). */
export async function permissionSetId(world: AttuneWorld, ref: string): Promise<number> {
  const reply = await world.admin.raw<unknown>('GET', `/api/v1/permissions/sets?pack_ref=${encodeURIComponent(ref.split('.')[0])}`);
  if (reply.status !== 200) throw new ApiError('GET', '/api/v1/permissions/sets', reply.status, reply.body, `looking up permission set ${ref}`);
  const sets = listItems<{ id: number; ref: string }>(reply.body as never);
  const found = sets.find((s) => s.ref === ref);
  if (!found) throw new Error(`permission set ${ref} is not installed (listed: ${sets.map((s) => s.ref).join(', ') || 'none'})`);
  return found.id;
}

/**
 * As the admin: binds the permission set to a new role `e2e_<set>_<unique>` and gives that role to the identity (the
 * catalog's T3.10 setup). The binding is removed at cleanup; the identity's role goes with the identity.
 */
export async function giveRoleBoundTo(world: AttuneWorld, identityId: number, setRef: string): Promise<string> {
  const setId = await permissionSetId(world, setRef);
  const role = world.uniq(`e2e ${setRef.split('.').pop()}`);
  const binding = await world.admin.raw<unknown>('POST', `/api/v1/permissions/sets/${setId}/roles`, { role });
  if (binding.status !== 201) throw new ApiError('POST', `/api/v1/permissions/sets/${setId}/roles`, binding.status, binding.body, `binding ${setRef} to role ${role}`);
  const bindingId = (unwrapBody(binding.body) as { id: number }).id;
  world.onCleanup(`unbind role ${role} from ${setRef}`, async () => {
    const removed = await world.admin.raw('DELETE', `/api/v1/permissions/sets/roles/${bindingId}`);
    if (!removed.ok && removed.status !== 404) {
      throw new ApiError('DELETE', `/api/v1/permissions/sets/roles/${bindingId}`, removed.status, removed.body, `unbinding role ${role}`);
    }
  });
  const given = await world.admin.raw<unknown>('POST', `/api/v1/identities/${identityId}/roles`, { role });
  if (given.status !== 201) throw new ApiError('POST', `/api/v1/identities/${identityId}/roles`, given.status, given.body, `giving role ${role} to identity ${identityId}`);
  return role;
}

// ---- named identities besides the scenario's tenant -----------------------------------------------------------------

export interface Actor {
  name: string;
  id: number;
  login: string;
  client: ApiClient;
}

const ACTORS = 'actor';

/** A new identity named `name` in this scenario, deleted at cleanup; holding a role bound to `setRef` when given, else nothing at all. */
export async function registerActor(world: AttuneWorld, name: string, setRef?: string): Promise<Actor> {
  const credentials = newCredentials(world, name);
  const { id } = await registerDisposableIdentity(world, credentials);
  if (setRef) await giveRoleBoundTo(world, id, setRef);
  const tokens = await signIn(world.anonymous, credentials.login, credentials.password);
  const actor: Actor = { name, id, login: credentials.login, client: world.clientFor(name, () => tokens.access_token) };
  return world.remember(ACTORS, name, actor);
}

export function actorNamed(world: AttuneWorld, name: string): Actor {
  return world.recall<Actor>(ACTORS, name);
}

/** Every page of a list as `as` sees it. */
export async function listAllAs<T>(as: ApiClient, path: string, what: string): Promise<T[]> {
  const separator = path.includes('?') ? '&' : '?';
  return allPages<T>(what, async (page) => {
    const reply = await as.raw('GET', `${path}${separator}page=${page}&page_size=${PAGE_SIZE}&per_page=${PAGE_SIZE}`);
    return { data: reply.ok ? reply.body : undefined, error: reply.ok ? undefined : reply.body, response: { ok: reply.ok, status: reply.status, url: path } as Response };
  });
}

/** A pack created by `actor` (not the scenario tenant), deleted by it at cleanup. */
export async function createPackAs(world: AttuneWorld, actor: Actor): Promise<string> {
  const ref = world.uniq(`${actor.name} pack`);
  const reply = await actor.client.raw('POST', '/api/v1/packs', { ref, label: `Pack of ${actor.name}`, version: '1.0.0' });
  if (reply.status !== 201) throw new ApiError('POST', '/api/v1/packs', reply.status, reply.body, `creating pack ${ref} as ${actor.name}`);
  world.onCleanup(`delete pack ${ref} (as ${actor.name})`, async () => {
    const removed = await actor.client.raw('DELETE', `/api/v1/packs/${ref}`);
    if (!removed.ok && removed.status !== 404) throw new ApiError('DELETE', `/api/v1/packs/${ref}`, removed.status, removed.body, `deleting pack ${ref}`);
  });
  return ref;
}

// ---- the matrix -----------------------------------------------------------------------------------------------------

/** What the scenario's tenant owns for the matrix: one of each thing, and a spare of each to delete. */
export interface MatrixEstate {
  pack: string;
  action: string;
  trigger: string;
  rule: string;
  key: string;
  execution: number;
  inquiry: number;
  spare: { pack: string; action: string; rule: string; key: string; inquiry: number };
}

/** Built while the tenant still holds its persona (e2e_personas.tenant); every piece is cleaned up as the tenant. */
export async function buildMatrixEstate(world: AttuneWorld): Promise<MatrixEstate> {
  const pack = await ensureOwnPack(world);
  const sparePack = await createPack(world, { ref: world.uniq('spare pack'), name: 'spare pack' });
  const action = await createAction(world, { name: 'matrix action', script: 'echo "matrix"' });
  const spareAction = await createAction(world, { name: 'spare action', script: 'echo "spare"' });
  const trigger = await createTrigger(world, 'matrix trigger');
  const rule = await createRule(world, { name: 'matrix rule', trigger_ref: trigger.ref, action_ref: action.ref, enabled: false });
  const spareRule = await createRule(world, { name: 'spare rule', trigger_ref: trigger.ref, action_ref: action.ref, enabled: false });
  const key = await createKey(world, { name: 'matrix_key', value: 'kept' });
  const spareKey = await createKey(world, { name: 'spare_key', value: 'spare' });
  const run = await runAction(world, action.ref, {}, 'matrix run');
  await awaitOutcome(world, run.id, 'completed');
  world.markAsserted(run.id);
  const inquiry = await askDirectly(world, { execution: run.id, prompt: 'Matrix inquiry', response_schema: { type: 'object' } });
  const spareInquiry = await askDirectly(world, { execution: run.id, prompt: 'Spare inquiry', response_schema: { type: 'object' } });
  return world.remember<MatrixEstate>('matrix estate', 'mine', {
    pack,
    action: action.ref,
    trigger: trigger.ref,
    rule: rule.row.ref,
    key: key.ref,
    execution: run.id,
    inquiry: inquiry.id,
    spare: { pack: sparePack.ref, action: spareAction.ref, rule: spareRule.row.ref, key: spareKey.ref, inquiry: spareInquiry.id },
  });
}

export function matrixEstate(world: AttuneWorld): MatrixEstate {
  return world.recall<MatrixEstate>('matrix estate', 'mine');
}

/**
 * Leaves the tenant holding only a role bound to `setRef`: the role is given, then the persona assignments revoked.
 * The persona comes back at cleanup (registered now, so it runs before the cleanups of the things, which need it).
 */
export async function holdOnlyRole(world: AttuneWorld, setRef: string): Promise<void> {
  const tenant = world.tenant;
  await giveRoleBoundTo(world, tenant.id, setRef);
  for (const assignment of tenant.assignmentIds) await revokeAssignment(world, assignment);
  tenant.assignmentIds = [];
  world.onCleanup(`give ${tenant.login} its persona back, to clean up its things`, () => personaBack(world));
}

/** Gives the tenant its persona back once (the cleanups of its things need it); later calls do nothing. */
async function personaBack(world: AttuneWorld): Promise<void> {
  const tenant = world.tenant;
  if (tenant.assignmentIds.length > 0) return;
  tenant.assignmentIds = [await grantPersona(world, tenant.login, tenant.persona)];
}

export const MATRIX_VERBS = ['read', 'create', 'update', 'delete', 'execute'] as const;
export const MATRIX_RESOURCES = ['packs', 'actions', 'rules', 'executions', 'keys', 'inquiries'] as const;

export interface CellOutcome {
  resource: string;
  verb: string;
  status: number;
  body: unknown;
  contentType: string;
  /** what is wrong with the cell's effect (an allowed cell that did nothing, a denied one that changed something) */
  effectProblem?: string;
}

type Attempt = { reply: RawResponse; effect: (allowed: boolean) => Promise<string | undefined> };

async function statusOf(as: ApiClient, path: string): Promise<number> {
  return (await as.raw('GET', path)).status;
}

/** Expects the thing at `path` to exist (200) when `present`, else to be gone (404); describes a mismatch. */
async function expectPresence(as: ApiClient, path: string, present: boolean, what: string): Promise<string | undefined> {
  const status = await statusOf(as, path);
  const wanted = present ? 200 : 404;
  return status === wanted ? undefined : `${what}: GET ${path} answered ${status}, expected ${wanted}`;
}

/** Reads one field of the thing at `path` (as `as`) and compares it with `value` (`changed`) or with anything else. */
async function expectField(as: ApiClient, path: string, field: string, value: unknown, changed: boolean, what: string): Promise<string | undefined> {
  const reply = await as.raw('GET', path);
  if (reply.status !== 200) return `${what}: GET ${path} answered ${reply.status}`;
  const actual = (unwrapBody(reply.body) as Record<string, unknown>)[field];
  const same = JSON.stringify(actual) === JSON.stringify(value);
  if (changed && !same) return `${what}: ${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`;
  if (!changed && same) return `${what}: ${field} became ${JSON.stringify(value)} although the change was refused`;
  return undefined;
}

/** Schedules the deletion (as the tenant) of something a cell created. */
function cleanupCreated(world: AttuneWorld, path: string, what: string): void {
  world.onCleanup(`delete ${what}`, async () => {
    // registered after the persona's return (LIFO runs it first): the tenant gets its persona back before deleting
    await personaBack(world);
    const removed = await world.api.raw('DELETE', path);
    if (!removed.ok && removed.status !== 404) throw new ApiError('DELETE', path, removed.status, removed.body, `deleting ${what}`);
  });
}

/** One attempt per cell, as the tenant, on its own things (see the matrix feature for the list of cells). */
function cellAttempt(world: AttuneWorld, estate: MatrixEstate, resource: string, verb: string, tag: string): (() => Promise<Attempt>) | undefined {
  const api = world.api;
  const enc = encodeURIComponent;
  const readCell = (path: string) => async (): Promise<Attempt> => ({ reply: await api.raw('GET', path), effect: async () => undefined });
  const deleteCell = (path: string, what: string) => async (): Promise<Attempt> => ({
    reply: await api.raw('DELETE', path),
    effect: (allowed) => expectPresence(api, path, !allowed, what),
  });
  const createCell = (collection: string, itemPath: (body: unknown) => string, body: unknown, what: string, refPath?: string) => async (): Promise<Attempt> => {
    const reply = await api.raw('POST', collection, body);
    if (reply.ok) cleanupCreated(world, itemPath(reply.body), what);
    return {
      reply,
      // a refused create leaves nothing behind: the ref it would have had is not found
      effect: async (allowed) => (allowed ? expectPresence(api, itemPath(reply.body), true, what) : refPath ? expectPresence(api, refPath, false, what) : undefined),
    };
  };
  const updateCell = (path: string, body: unknown, field: string, value: unknown, what: string) => async (): Promise<Attempt> => ({
    reply: await api.raw('PUT', path, body),
    effect: (allowed) => expectField(api, path, field, value, allowed, what),
  });
  const idOf = (body: unknown) => (unwrapBody(body) as { id: number }).id;

  const packPath = `/api/v1/packs/${enc(estate.pack)}`;
  const newPack = world.uniq(`matrix ${tag} pack`);
  const newAction = `${estate.pack}.${world.uniq(`matrix ${tag} action`)}`;
  const newRule = `${estate.pack}.${world.uniq(`matrix ${tag} rule`)}`;
  const newKey = `${estate.pack}.${world.uniq(`matrix ${tag} key`)}`;
  const label = `Changed by ${tag}`;
  const cells: Record<string, () => Promise<Attempt>> = {
    'packs read': readCell(packPath),
    'packs create': createCell('/api/v1/packs', () => `/api/v1/packs/${newPack}`, { ref: newPack, label: 'Matrix pack', version: '1.0.0' }, `pack ${newPack}`, `/api/v1/packs/${newPack}`),
    'packs update': updateCell(packPath, { label }, 'label', label, `pack ${estate.pack}`),
    'packs delete': deleteCell(`/api/v1/packs/${enc(estate.spare.pack)}`, `pack ${estate.spare.pack}`),
    'actions read': readCell(`/api/v1/actions/${enc(estate.action)}`),
    'actions create': createCell(
      '/api/v1/actions',
      () => `/api/v1/actions/${newAction}`,
      { ref: newAction, pack_ref: estate.pack, label: 'Matrix action', entrypoint: 'echo "created by the matrix"', runtime_ref: 'core.shell' },
      `action ${newAction}`,
      `/api/v1/actions/${newAction}`,
    ),
    'actions update': updateCell(`/api/v1/actions/${enc(estate.action)}`, { description: label }, 'description', label, `action ${estate.action}`),
    'actions delete': deleteCell(`/api/v1/actions/${enc(estate.spare.action)}`, `action ${estate.spare.action}`),
    'actions execute': async () => {
      const before = await runsOf(api, estate.action);
      const reply = await api.raw('POST', '/api/v1/executions/execute', { action_ref: estate.action, parameters: {}, env_vars: {} });
      if (reply.ok) world.trackExecution(idOf(reply.body));
      return {
        reply,
        effect: async (allowed) => {
          if (allowed) {
            const id = idOf(reply.body);
            const done = await awaitOutcome(world, id, 'completed');
            world.markAsserted(done.id);
            return undefined;
          }
          const after = await runsOf(api, estate.action);
          return after.length === before.length ? undefined : `action ${estate.action}: ${after.length - before.length} run(s) appeared although the run was refused`;
        },
      };
    },
    'rules read': readCell(`/api/v1/rules/${enc(estate.rule)}`),
    'rules create': createCell(
      '/api/v1/rules',
      () => `/api/v1/rules/${newRule}`,
      {
        ref: newRule, pack_ref: estate.pack, label: 'Matrix rule', trigger_ref: estate.trigger, action_ref: estate.action,
        trigger_params: {}, action_params: {}, conditions: {}, enabled: false,
      },
      `rule ${newRule}`,
      `/api/v1/rules/${newRule}`,
    ),
    'rules update': updateCell(`/api/v1/rules/${enc(estate.rule)}`, { description: label }, 'description', label, `rule ${estate.rule}`),
    'rules delete': deleteCell(`/api/v1/rules/${enc(estate.spare.rule)}`, `rule ${estate.spare.rule}`),
    'executions read': readCell(`/api/v1/executions/${estate.execution}`),
    'keys read': readCell(`/api/v1/keys/${enc(estate.key)}`),
    'keys create': createCell(
      '/api/v1/keys',
      () => `/api/v1/keys/${newKey}`,
      { ref: newKey, name: newKey.split('.').pop(), value: 'created by the matrix', encrypted: false, owner_type: 'identity', owner_identity: world.tenant.id },
      `key ${newKey}`,
      `/api/v1/keys/${newKey}`,
    ),
    'keys update': updateCell(`/api/v1/keys/${enc(estate.key)}`, { value: label }, 'value', label, `key ${estate.key}`),
    'keys delete': deleteCell(`/api/v1/keys/${enc(estate.spare.key)}`, `key ${estate.spare.key}`),
    'inquiries read': readCell(`/api/v1/inquiries/${estate.inquiry}`),
    'inquiries create': async () => {
      const before = await inquiriesOf(api, estate.execution);
      const reply = await api.raw('POST', '/api/v1/inquiries', { execution: estate.execution, prompt: `Asked by ${tag}`, response_schema: { type: 'object' } });
      if (reply.ok) cleanupCreated(world, `/api/v1/inquiries/${idOf(reply.body)}`, `inquiry ${idOf(reply.body)}`);
      return {
        reply,
        effect: async (allowed) => {
          const after = await inquiriesOf(api, estate.execution);
          const added = after.length - before.length;
          return added === (allowed ? 1 : 0) ? undefined : `execution ${estate.execution}: ${added} inquiries added, expected ${allowed ? 1 : 0}`;
        },
      };
    },
    'inquiries update': updateCell(
      `/api/v1/inquiries/${estate.inquiry}`,
      { response: null, assigned_to: world.tenant.id },
      'assigned_to',
      world.tenant.id,
      `inquiry ${estate.inquiry}`,
    ),
    'inquiries delete': deleteCell(`/api/v1/inquiries/${estate.spare.inquiry}`, `inquiry ${estate.spare.inquiry}`),
  };
  return cells[`${resource} ${verb}`];
}

async function runsOf(as: ApiClient, actionRef: string): Promise<unknown[]> {
  return listAllAs(as, `/api/v1/executions?action_ref=${encodeURIComponent(actionRef)}`, `listing the runs of ${actionRef}`);
}

async function inquiriesOf(as: ApiClient, executionId: number): Promise<unknown[]> {
  const reply = await as.raw('GET', `/api/v1/executions/${executionId}/inquiries?page_size=${PAGE_SIZE}`);
  if (reply.status !== 200) throw new ApiError('GET', `/api/v1/executions/${executionId}/inquiries`, reply.status, reply.body, 'listing the inquiries of the run');
  return listItems(reply.body as never);
}

/** Tries the cells in order (reads first, deletes last, as listed) and checks each one's effect against its answer. */
export async function tryMatrix(world: AttuneWorld, cells: Array<{ resource: string; verb: string }>, tag: string): Promise<CellOutcome[]> {
  const estate = matrixEstate(world);
  const outcomes: CellOutcome[] = [];
  for (const { resource, verb } of cells) {
    const attempt = cellAttempt(world, estate, resource, verb, tag);
    if (!attempt) throw new Error(`the matrix has no cell ${resource} × ${verb} (known resources: ${MATRIX_RESOURCES.join(', ')}; verbs: ${MATRIX_VERBS.join(', ')})`);
    const { reply, effect } = await attempt();
    const outcome: CellOutcome = { resource, verb, status: reply.status, body: reply.body, contentType: reply.contentType };
    if (reply.ok || reply.status === 403) outcome.effectProblem = await effect(reply.ok);
    outcomes.push(outcome);
  }
  return outcomes;
}

