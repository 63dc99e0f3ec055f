/**
 * The World: everything one scenario owns. A fresh one per scenario (and per retry attempt).
 *
 *  - `tenant`: the identity made for this scenario (login, password, tokens, its own typed client);
 *  - `admin`: a client carrying the worker's admin token (logged in once per worker);
 *  - `packRef`: the scenario's own namespace; bare names in features resolve into it (`ref("timer rule")`);
 *  - registries of what the scenario created, by domain name (`remember` / `recall`);
 *  - a LIFO cleanup stack (`onCleanup`), run by the After hook whatever the outcome;
 *  - the API transcript, the notification stream, the queue tap, and the executions steps asserted on.
 */
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { createApiClient, type ApiClient, type Transcript } from './api/client';
import type { EnforcementSummary, EventSummary, ExecutionSummary } from './api/models';
import type { NotificationStream } from './notifications';
import type { QueueTap } from './queue';
import { target, type TargetSettings } from './target';
import { registerTenant } from './tasks/identities';
import { adminAccessToken, currentAdminToken, workerId } from './worker-session';

export type Persona = 'tenant' | 'viewer' | 'executor' | 'editor' | 'admin';

export interface Tenant {
  id: number;
  login: string;
  password: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
  persona: Persona;
  /** permission assignment ids the admin made for this identity */
  assignmentIds: number[];
  client: ApiClient;
}

export interface CleanupStep {
  description: string;
  fn: () => Promise<unknown>;
}

/** What the last "focus" steps narrowed down to: "those events", "those enforcements", "those executions". */
export interface Focus {
  ruleName?: string;
  events?: EventSummary[];
  /** event id → its single enforcement */
  enforcements?: Map<number, EnforcementSummary>;
  /** enforcement id → its single execution */
  executions?: Map<number, ExecutionSummary>;
}

let counter = 0;

/** Lower-case, starts with a letter, `[a-z0-9_]` only: safe as a pack ref and as the name part of a component ref. */
export function slug(text: string): string {
  const cleaned = text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!cleaned) return 'x';
  return /^[a-z]/.test(cleaned) ? cleaned : `x_${cleaned}`;
}

export class AttuneWorld extends World {
  readonly settings: TargetSettings = target();
  readonly transcript: Transcript = [];
  readonly anonymous: ApiClient;
  readonly admin: ApiClient;
  /** the scenario's own namespace (the pack it creates and every component ref derived from a bare name) */
  readonly packRef: string;
  packCreated = false;

  private tenantValue?: Tenant;
  private readonly registries = new Map<string, Map<string, unknown>>();
  private readonly cleanups: CleanupStep[] = [];
  /** execution ids some step asserted on (the After guard ignores failures of these) */
  readonly asserted = new Set<number>();
  /** execution ids the scenario caused or observed (diagnostics, After guard) */
  readonly executionIds = new Set<number>();
  focus: Focus = {};
  notifications?: NotificationStream;
  queueTap?: QueueTap;
  /** free-form values passed between the steps of one scenario (last response, a token, a timestamp…) */
  readonly scratch: Record<string, unknown> = {};

  constructor(options: IWorldOptions) {
    super(options);
    this.anonymous = createApiClient(this.settings.apiUrl, () => undefined, this.transcript, 'anonymous');
    this.admin = createApiClient(
      this.settings.apiUrl,
      async () => currentAdminToken() ?? (await adminAccessToken()),
      this.transcript,
      'admin',
    );
    this.packRef = this.uniq('e2e');
  }

  /** A unique lower-case name, e.g. `e2e_w1_m3x9k2a_7` (worker, base-36 time, per-process counter). */
  uniq(prefix = 'e2e'): string {
    counter += 1;
    const worker = workerId().toLowerCase().replace(/[^a-z0-9]/g, '');
    return `${slug(prefix)}_w${worker}_${Date.now().toString(36)}_${counter}`;
  }

  /** The component ref a bare name stands for in this scenario: "timer rule" → `<packRef>.timer_rule`. A ref that
   * already has a dot (`core.echo`) is global and stays as it is. */
  ref(name: string): string {
    return name.includes('.') ? name.trim() : `${this.packRef}.${slug(name)}`;
  }

  get hasTenant(): boolean {
    return this.tenantValue !== undefined;
  }

  get tenant(): Tenant {
    if (!this.tenantValue) throw new Error('This scenario has no tenant identity (the Before hook did not create one).');
    return this.tenantValue;
  }

  set tenant(value: Tenant) {
    this.tenantValue = value;
  }

  /** The tenant's typed client (the client steps use unless they say otherwise). */
  get api(): ApiClient {
    return this.tenant.client;
  }

  /** Makes a client for another identity in this scenario (its calls land in the same transcript). */
  clientFor(actor: string, token: () => string | undefined): ApiClient {
    return createApiClient(this.settings.apiUrl, token, this.transcript, actor);
  }

  remember<T>(kind: string, name: string, row: T): T {
    let registry = this.registries.get(kind);
    if (!registry) {
      registry = new Map();
      this.registries.set(kind, registry);
    }
    registry.set(name, row);
    return row;
  }

  recall<T>(kind: string, name: string): T {
    const row = this.registries.get(kind)?.get(name);
    if (row === undefined) {
      const known = [...(this.registries.get(kind)?.keys() ?? [])];
      throw new Error(
        `No ${kind} called "${name}" was created in this scenario` +
          (known.length ? ` (known: ${known.map((k) => `"${k}"`).join(', ')})` : ` (no ${kind} at all)`),
      );
    }
    return row as T;
  }

  recallMaybe<T>(kind: string, name: string): T | undefined {
    return this.registries.get(kind)?.get(name) as T | undefined;
  }

  recallAll<T>(kind: string): Array<[string, T]> {
    return [...(this.registries.get(kind)?.entries() ?? [])] as Array<[string, T]>;
  }

  /** Registers a cleanup; call it right after the create it undoes succeeded. Runs last-in, first-out. */
  onCleanup(description: string, fn: () => Promise<unknown>): void {
    this.cleanups.push({ description, fn });
  }

  /** Runs every cleanup (LIFO), collecting failures instead of stopping at the first. */
  async runCleanups(): Promise<Array<{ description: string; error: unknown }>> {
    const failures: Array<{ description: string; error: unknown }> = [];
    while (this.cleanups.length > 0) {
      const step = this.cleanups.pop()!;
      try {
        await step.fn();
      } catch (error) {
        failures.push({ description: step.description, error });
      }
    }
    return failures;
  }

  /** Cleanups still pending (reported when they are kept on failure). */
  pendingCleanups(): string[] {
    return [...this.cleanups].reverse().map((c) => c.description);
  }

  trackExecution(id: number | null | undefined): void {
    if (typeof id === 'number') this.executionIds.add(id);
  }

  markAsserted(id: number | null | undefined): void {
    if (typeof id === 'number') {
      this.asserted.add(id);
      this.executionIds.add(id);
    }
  }

  /** Other tenants of this scenario by name ("B"), each seen through its own view (see `otherTenant`). */
  private readonly otherTenants = new Map<string, AttuneWorld>();
  /** On a view made by `otherTenant`: the scenario's World it was made from. */
  readonly viewOf?: AttuneWorld;

  /**
   * Another tenant of this scenario: a second identity registered with the same persona as the scenario tenant (or the
   * one given) and deleted at the end of the scenario. It is returned as a VIEW of this World in which `tenant`, `api`,
   * `packRef` (its own namespace), the registries, `focus` and `scratch` are the other tenant's, while the transcript,
   * the cleanup stack and the execution bookkeeping (After guard) stay shared. Every task works on a view unchanged:
   * `createAction(await world.otherTenant('B'), …)` creates an action in B's namespace, as B, cleaned up as B.
   */
  async otherTenant(name: string, persona?: Persona): Promise<AttuneWorld> {
    const known = this.otherTenants.get(name);
    if (known) return known;
    const root = this.viewOf ?? this;
    const tenant = await registerTenant(root, persona ?? root.tenant.persona, `tenant ${name}`);
    const view = Object.create(root) as AttuneWorld;
    Object.defineProperties(view, {
      tenantValue: { value: tenant, writable: true },
      packRef: { value: root.uniq(`e2e ${name}`) },
      packCreated: { value: false, writable: true },
      registries: { value: new Map() },
      focus: { value: {}, writable: true },
      scratch: { value: {} },
      viewOf: { value: root },
    });
    this.otherTenants.set(name, view);
    return view;
  }

  /** The view of another tenant created earlier in this scenario with `otherTenant(name)`. */
  tenantNamed(name: string): AttuneWorld {
    const view = this.otherTenants.get(name);
    if (!view) {
      const known = [...this.otherTenants.keys()];
      throw new Error(`No other tenant "${name}" in this scenario (${known.length ? `known: ${known.join(', ')}` : 'none yet'}).`);
    }
    return view;
  }
}

setWorldConstructor(AttuneWorld);
