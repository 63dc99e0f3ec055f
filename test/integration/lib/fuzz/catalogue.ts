/**
 * For every write operation of the stack: which token a good request carries, valid path
 * parameters (the fixtures' dedicated objects only), and a valid-ish body — the schema-derived
 * body with the fields that must name real things overlaid. An operation the OpenAPI document
 * lists but this catalogue does not know fails the run, so a new route cannot escape the fuzz.
 */
import fc from 'fast-check';
import { ADMIN_LOGIN, ADMIN_PASSWORD, FUZZ_PASSWORD, type Fixtures } from './fixtures';
import type { Operation } from './openapi';
import type { OpContext } from './requests';
import { validFromSchema } from './schema-arb';
import { oddJson, type Json, type JsonSchema } from './values';

type Overlay = Record<string, fc.Arbitrary<Json | undefined>>;

/** The schema-derived body with `fields` overlaid (an overlay yielding undefined removes the field). */
function overlay(schema: JsonSchema | undefined, fields: Overlay): fc.Arbitrary<Json> {
  return fc.tuple(validFromSchema(schema), fc.record(fields)).map(([base, over]) => {
    const out: Record<string, Json> = base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, Json>) } : {};
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out;
  });
}

const one = <T extends Json | undefined>(...values: T[]) => fc.constantFrom(...values);
const str = (max = 24) => fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 _-'.split('')), minLength: 1, maxLength: max });
const refs = (prefix: string, n = 4) => one(...Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`));
const id = (...ids: number[]) => fc.constantFrom(...ids.map(String));

const flatParamSchema = fc.oneof(
  fc.constant<Json>({ message: { type: 'string' } }),
  fc.constant<Json>({ n: { type: 'integer', minimum: 1, maximum: 10, required: true, default: 3 }, flag: { type: 'boolean' } }),
  fc.constant<Json>({ choice: { type: 'string', enum: ['a', 'b'] }, items: { type: 'array' }, obj: { type: 'object' } }),
  fc.constant<Json>({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }),
  fc.constant<Json>({}),
);

const conditions = fc.oneof(
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.constant<Json>([{ field: 'payload.kind', operator: 'equals', value: 'a' }, { field: 'payload.n', operator: 'contains', value: 1 }]),
  fc.constant<Json>({ expression: 'payload.kind == "a" and payload.n > 1' }),
  fc.constant<Json>({ expression: '{{ event.payload.x }}' }),
);

const responseSchema = fc.oneof(
  fc.constant<Json>(null),
  fc.constant<Json>({ ok: { type: 'boolean', required: true } }),
  fc.constant<Json>({ type: 'object', properties: { answer: { type: 'string', maxLength: 10, pattern: '^[a-z]+$' } }, required: ['answer'] }),
  fc.constant<Json>({ type: 'array', items: { type: 'integer' }, minItems: 1 }),
  fc.constant<Json>({ anyOf: [{ type: 'string' }, { type: 'number' }] }),
);

const workflowDefinition = fc.oneof(
  fc.constant<Json>({ tasks: [{ name: 'only', action: 'core.noop', input: { message: 'x' } }] }),
  fc.constant<Json>({
    version: '1.0.0',
    vars: { x: 1, list: [1, 2] },
    tasks: [
      {
        name: 'first', action: 'core.noop', input: { message: '{{ vars.x }}' }, retry: { count: 1, delay: 1, backoff: 'linear' }, timeout: 30,
        next: [{ when: '{{ succeeded() }}', publish: [{ y: '{{ result() }}' }], do: ['second', 'third'] }, { when: '{{ failed() }}', do: 'third' }],
      },
      { name: 'second', action: 'core.noop', with_items: '{{ vars.list }}', concurrency: 2, input: { message: '{{ item }}' } },
      { name: 'third', action: 'core.noop', join: 1 },
    ],
    output_map: { y: '{{ vars.y }}' },
    cancellation_policy: 'allow_finish',
  }),
);

const webhookConfig = fc.oneof(
  fc.constant<Json>(null),
  fc.constant<Json>({ payload_size_limit_kb: 1 }),
  fc.constant<Json>({ ip_whitelist: { enabled: true, ips: ['10.0.0.0/8', '127.0.0.1'] } }),
  fc.constant<Json>({ hmac: { enabled: true, secret: 's3cret', algorithm: 'sha256' } }),
);

const grants = fc.oneof(
  fc.constant<Json>([{ resource: 'packs', actions: ['read'] }]),
  fc.constant<Json>([{ resource: 'keys', actions: ['read', 'create'], constraints: { owner: 'self', pack_refs: ['fuzz'] } }]),
  fc.constant<Json>([]),
);

function multipart(fx: Fixtures): fc.Arbitrary<{ detail: string; contentType: string; body: Buffer }> {
  const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
  const part = (name: string, content: Buffer, filename?: string) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n` +
        `${filename ? 'Content-Type: application/gzip\r\n' : ''}\r\n`),
      content,
      Buffer.from('\r\n'),
    ]);
  const end = Buffer.from(`--${boundary}--\r\n`);
  const ct = `multipart/form-data; boundary=${boundary}`;
  const archive = fc.constantFrom(...Object.keys(fx.archives));
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(archive, fc.constantFrom('true', 'false', '', 'yes', '\u0000', 'x'.repeat(300))).map(([name, force]) => ({
      detail: `archive "${name}", force=${JSON.stringify(force).slice(0, 20)}`,
      contentType: ct,
      body: Buffer.concat([part('force', Buffer.from(force)), part('pack', fx.archives[name], 'pack.tar.gz'), end]),
    })) },
    { weight: 1, arbitrary: archive.map((name) => ({ detail: `archive "${name}" under field "file"`, contentType: ct, body: Buffer.concat([part('file', fx.archives[name], 'p.tgz'), end]) })) },
    { weight: 1, arbitrary: fc.constant({ detail: 'no parts', contentType: ct, body: end }) },
    { weight: 1, arbitrary: fc.constant({ detail: 'text fields only', contentType: ct, body: Buffer.concat([part('force', Buffer.from('true')), part('skip_tests', Buffer.from('true')), end]) }) },
    { weight: 1, arbitrary: archive.map((name) => ({ detail: `archive "${name}" without the closing boundary`, contentType: ct, body: part('pack', fx.archives[name], 'p.tgz') })) },
    { weight: 1, arbitrary: archive.map((name) => ({ detail: 'boundary missing from the content type', contentType: 'multipart/form-data', body: Buffer.concat([part('pack', fx.archives[name], 'p.tgz'), end]) })) },
    { weight: 1, arbitrary: archive.map((name) => ({ detail: 'another boundary in the body', contentType: 'multipart/form-data; boundary=other', body: Buffer.concat([part('pack', fx.archives[name], 'p.tgz'), end]) })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => ({ detail: 'random bytes as multipart', contentType: ct, body: Buffer.from(b) })) },
    { weight: 1, arbitrary: archive.map((name) => ({ detail: 'two pack parts', contentType: ct, body: Buffer.concat([part('pack', fx.archives[name], 'a.tgz'), part('pack', fx.archives.ok, 'b.tgz'), end]) })) },
    { weight: 1, arbitrary: fc.constant({ detail: '31 text parts', contentType: ct, body: Buffer.concat([...Array.from({ length: 31 }, (_, i) => part(`f${i}`, Buffer.from('v'))), end]) }) },
    { weight: 1, arbitrary: fc.constant({ detail: 'JSON instead of multipart', contentType: 'application/json', body: Buffer.from('{"pack":"x"}') }) },
  );
}

/** The contexts of every operation, keyed "METHOD /path/{param}". */
export function catalogue(fx: Fixtures, ops: Operation[]): Map<string, Omit<OpContext, 'op'>> {
  const schemaOf = (key: string) => ops.find((o) => o.key === key)?.bodySchema;
  const body = (key: string, fields: Overlay) => overlay(schemaOf(key), fields);
  const c = new Map<string, Omit<OpContext, 'op'>>();
  const set = (key: string, ctx: Omit<OpContext, 'op'>) => c.set(key, ctx);
  const noBody = null;

  // auth
  set('POST /auth/register', { auth: 'none', body: body('POST /auth/register', { login: refs('fuzz-reg-'), password: one(FUZZ_PASSWORD), display_name: fc.option(str(), { nil: undefined }) }) });
  set('POST /auth/login', {
    auth: 'none',
    body: body('POST /auth/login', { login: one(ADMIN_LOGIN, 'fuzz-sac', 'nobody@example.invalid'), password: one(ADMIN_PASSWORD, FUZZ_PASSWORD, 'wrong-password') }),
  });
  set('POST /auth/token-login', { auth: 'none', body: body('POST /auth/token-login', { token: one(fx.integrationSecret, 'atk_not_a_token', '') }) });
  set('POST /auth/refresh', { auth: 'none', body: body('POST /auth/refresh', { refresh_token: one(fx.admin.refresh, fx.admin.token, 'not-a-token') }) });
  const sensorBody = (key: string) =>
    body(key, { sensor_ref: one('fuzz.sensor', 'fuzz.sensor_b'), trigger_types: one(['fuzz.event_trigger'], ['fuzz.event_trigger', 'fuzz.hook']), pack_ref: one(undefined, 'fuzz', null) });
  set('POST /auth/sensor-token', { auth: 'admin', body: sensorBody('POST /auth/sensor-token') });
  set('POST /auth/internal/sensor-token', { auth: 'none', body: sensorBody('POST /auth/internal/sensor-token') });
  // the admin's own account: a profile name, and a password change that keeps the password (it must stay usable)
  set('PUT /auth/me', { auth: 'admin', body: body('PUT /auth/me', { display_name: one(undefined, null, '', '   ', 'Fuzz Admin', '  padded  ') }) });
  set('POST /auth/change-password', {
    auth: 'admin',
    body: body('POST /auth/change-password', { current_password: one(ADMIN_PASSWORD, 'wrong-password'), new_password: one(ADMIN_PASSWORD) }),
  });
  // LDAP is not configured on the stack: a well-formed request is answered 501 (see judge), a bad one 422
  set('POST /auth/ldap/login', { auth: 'none', body: body('POST /auth/ldap/login', { login: one(ADMIN_LOGIN, 'nobody'), password: one(ADMIN_PASSWORD, 'x') }) });

  // packs
  set('POST /api/v1/packs', { auth: 'admin', body: body('POST /api/v1/packs', { ref: refs('fuzz_p'), label: str(), version: one('1.0.0', '2.1.3-rc.1') }) });
  set('PUT /api/v1/packs/{ref}', { auth: 'admin', path: { ref: one('fuzz_sac') }, body: body('PUT /api/v1/packs/{ref}', { version: one(undefined, '1.2.3', null), label: one(undefined, 'relabelled') }) });
  set('DELETE /api/v1/packs/{ref}', { auth: 'admin', path: { ref: one('fuzz_del') }, body: noBody });
  set('POST /api/v1/packs/register', {
    auth: 'admin',
    body: body('POST /api/v1/packs/register', { path: one(fx.registerDir), force: fc.boolean(), skip_tests: fc.boolean() }),
  });
  set('POST /api/v1/packs/{pack_ref}/test', { auth: 'admin', path: { pack_ref: one('fuzz_tst', 'fuzz_sac') }, body: noBody });
  set('POST /api/v1/packs/upload', { auth: 'admin', body: noBody, multipart: multipart(fx) });

  // pack registry indices: index URLs only on this host's discard port or malformed (no fetch waits), sources that
  // name no pack an index offers or are direct URLs (refused before any fetch)
  const indexUrl = one('http://127.0.0.1:9/fuzz-a.json', 'http://127.0.0.1:9/fuzz-b.json', 'ftp://127.0.0.1/index.json', 'not a url', '', 'http://user:pw@127.0.0.1:9/x.json');
  const indexHeaders = one(undefined, {}, { Authorization: 'Bearer x' }, { Host: 'evil' }, { 'X-Forwarded-For': '1.2.3.4' }, { 'bad name': 'v' }, { a: 1 }, { a: 'line\nbreak' });
  const indexFields: Overlay = { url: indexUrl, headers: indexHeaders, position: one(undefined, null, 0, 3, -1, 2 ** 31), name: one(undefined, null, 'fuzz index', 'x'.repeat(300)) };
  set('POST /api/v1/pack-indices', { auth: 'admin', body: body('POST /api/v1/pack-indices', indexFields) });
  set('PUT /api/v1/pack-indices/{id}', {
    auth: 'admin',
    path: { id: id(fx.sacIndex, 999999) },
    body: body('PUT /api/v1/pack-indices/{id}', { ...indexFields, url: one(undefined, null, 'http://127.0.0.1:9/fuzz-sac.json', 'not a url'), enabled: one(undefined, null, true, false) }),
  });
  set('DELETE /api/v1/pack-indices/{id}', { auth: 'admin', path: { id: id(fx.delIndex, 999999) }, body: noBody });
  const packSource = one('fuzz_nope', 'fuzz_nope@1.0.0', 'fuzz_nope@latest', 'http://127.0.0.1:9/p.tar.gz', 'git@example.invalid:x.git', '', '@', 'a@b@c');
  set('POST /api/v1/packs/install', { auth: 'admin', body: body('POST /api/v1/packs/install', { source: packSource, skip_tests: fc.boolean() }) });
  set('POST /api/v1/packs/download', {
    auth: 'admin',
    body: body('POST /api/v1/packs/download', { packs: fc.array(packSource, { maxLength: 3 }), destination_dir: one('/tmp/fuzz-downloads', '') }),
  });
  set('POST /api/v1/packs/build-envs', {
    auth: 'admin',
    body: body('POST /api/v1/packs/build-envs', {
      pack_paths: fc.array(one('/nonexistent/fuzz', fx.registerDir, '/etc', '', '\u0000', fx.tmpRoot), { maxLength: 3 }),
    }),
  });

  // actions
  const actionFields: Overlay = {
    runtime: one(undefined),
    runtime_ref: one('shell', 'core.shell', null, undefined),
    param_schema: flatParamSchema,
    out_schema: one(undefined, null, { result: { type: 'string' } }),
    reference_visibility: one(undefined, 'public', 'private'),
  };
  set('POST /api/v1/actions', {
    auth: 'admin',
    body: body('POST /api/v1/actions', { ...actionFields, ref: refs('fuzz.a'), pack_ref: one('fuzz'), label: str(), entrypoint: one('noop.sh', 'run.py') }),
  });
  set('PUT /api/v1/actions/{ref}', { auth: 'admin', path: { ref: one('fuzz.sac_action') }, body: body('PUT /api/v1/actions/{ref}', actionFields) });
  set('DELETE /api/v1/actions/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_action') }, body: noBody });

  // triggers and their webhooks
  set('POST /api/v1/triggers', {
    auth: 'admin',
    body: body('POST /api/v1/triggers', { ref: refs('fuzz.t'), pack_ref: one('fuzz', null, undefined), label: str(), webhook_config: webhookConfig, param_schema: one(undefined, null, { n: { type: 'integer' } }) }),
  });
  const sacTrigger = { ref: one('fuzz.sac_trigger') };
  set('PUT /api/v1/triggers/{ref}', { auth: 'admin', path: sacTrigger, body: body('PUT /api/v1/triggers/{ref}', { webhook_config: webhookConfig, param_schema: one(null, { n: { type: 'integer' } }, { op: 'clear' }) }) });
  set('DELETE /api/v1/triggers/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_trigger') }, body: noBody });
  for (const suffix of ['enable', 'disable', 'webhooks/enable', 'webhooks/disable', 'webhooks/regenerate']) {
    set(`POST /api/v1/triggers/{ref}/${suffix}`, { auth: 'admin', path: sacTrigger, body: noBody, weight: 0.5 });
  }

  // rules
  set('POST /api/v1/rules', {
    auth: 'admin',
    body: body('POST /api/v1/rules', {
      ref: refs('fuzz.r'), pack_ref: one('fuzz'), label: str(), action_ref: one('core.noop'), trigger_ref: one('fuzz.rule_trigger'),
      conditions, action_params: one({ message: 'hello {{ event.payload.x }}' }, {}), trigger_params: one({}), permission_set_refs: one(undefined, null, []),
    }),
  });
  set('PUT /api/v1/rules/{ref}', {
    auth: 'admin', path: { ref: one('fuzz.sac_rule') },
    body: body('PUT /api/v1/rules/{ref}', { conditions, action_params: one(null, { message: 'y' }), trigger_params: one(null, {}), action_ref: one(undefined, null, 'core.noop'), trigger_ref: one(undefined, null, 'fuzz.rule_trigger') }),
  });
  set('DELETE /api/v1/rules/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_rule') }, body: noBody });
  for (const suffix of ['enable', 'disable']) set(`POST /api/v1/rules/{ref}/${suffix}`, { auth: 'admin', path: { ref: one('fuzz.sac_rule') }, body: noBody, weight: 0.5 });

  // events, executions
  set('POST /api/v1/events', {
    auth: 'sensor',
    body: body('POST /api/v1/events', { trigger_ref: one('fuzz.event_trigger'), payload: oddJson(3), config: one(undefined, null, { a: 1 }), trigger_instance_id: one(undefined, null, 'rule_1', 'rule_999999999') }),
  });
  set('POST /api/v1/executions/execute', {
    auth: 'admin',
    body: body('POST /api/v1/executions/execute', { action_ref: one('core.noop'), parameters: one({ message: 'fuzz' }, {}), env_vars: one({}, { FUZZ: 'yes', N: 1, B: true }), timeout_seconds: one(undefined, null, 60) }),
  });
  set('POST /api/v1/executions/{id}/cancel', { auth: 'admin', path: { id: id(fx.sacExecution) }, body: noBody });
  set('POST /api/v1/executions/{id}/reschedule', { auth: 'admin', path: { id: id(fx.sacExecution) }, body: noBody });

  // keys
  set('POST /api/v1/keys', {
    auth: 'admin',
    body: body('POST /api/v1/keys', {
      ref: refs('fuzz_k'), owner_type: one('identity', 'system'), name: refs('name'), value: oddJson(3), encrypted: fc.boolean(), ttl_seconds: one(undefined, null, 3600),
      owner: one(undefined), owner_identity: one(undefined), owner_pack: one(undefined), owner_pack_ref: one(undefined), owner_action: one(undefined),
      owner_action_ref: one(undefined), owner_sensor: one(undefined), owner_sensor_ref: one(undefined),
    }),
  });
  set('PUT /api/v1/keys/{ref}', { auth: 'admin', path: { ref: one('fuzz_sac_key') }, body: body('PUT /api/v1/keys/{ref}', { name: one(undefined, 'fuzz_sac_key'), value: oddJson(2), encrypted: fc.boolean() }) });
  set('DELETE /api/v1/keys/{ref}', { auth: 'admin', path: { ref: one('fuzz_del_key') }, body: noBody });

  // policies: only ever scoped to the fuzz pack (a global policy would throttle every other run of the stack)
  const policyScope = one<Json>({ type: 'pack', pack_ref: 'fuzz' }, { type: 'action', action_ref: 'fuzz.sac_action' }, { type: 'action', action_ref: 'fuzz.missing' });
  const concurrency = one<Json | undefined>(undefined, null, { limit: 1000, method: 'enqueue' }, { limit: 500, method: 'enqueue', parameters: ['message'] });
  set('POST /api/v1/policies', {
    auth: 'admin',
    body: body('POST /api/v1/policies', { ref: refs('fuzz.p'), name: str(), scope: policyScope, concurrency, rate_limit: one(undefined, null, { max_executions: 1000, window_seconds: 1 }) }),
  });
  set('PUT /api/v1/policies/{ref}', { auth: 'admin', path: { ref: one('fuzz.sac_policy') }, body: body('PUT /api/v1/policies/{ref}', { concurrency }) });
  set('DELETE /api/v1/policies/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_policy') }, body: noBody });

  // identities and permissions (never the admin: its id, its roles and its permission set are out of reach)
  set('POST /api/v1/identities', { auth: 'admin', body: body('POST /api/v1/identities', { login: refs('fuzz-id-'), password: one(FUZZ_PASSWORD, null, undefined), attributes: one(undefined, null, { team: 'fuzz' }) }) });
  const sacId = { id: id(fx.sacIdentity) };
  set('PUT /api/v1/identities/{id}', { auth: 'admin', path: sacId, body: body('PUT /api/v1/identities/{id}', { password: one(undefined, null, FUZZ_PASSWORD) }) });
  set('DELETE /api/v1/identities/{id}', { auth: 'admin', path: { id: id(fx.delIdentity) }, body: noBody });
  for (const suffix of ['freeze', 'unfreeze']) set(`POST /api/v1/identities/{id}/${suffix}`, { auth: 'admin', path: sacId, body: noBody, weight: 0.5 });
  set('POST /api/v1/identities/{id}/roles', { auth: 'admin', path: sacId, body: body('POST /api/v1/identities/{id}/roles', { role: refs('fuzz-role-') }) });
  set('DELETE /api/v1/identities/roles/{id}', { auth: 'admin', path: { id: id(fx.roleAssignment) }, body: noBody });
  set('POST /api/v1/identities/{id}/integration-tokens', {
    auth: 'admin', path: sacId,
    body: body('POST /api/v1/identities/{id}/integration-tokens', { label: str(), expires_at: one(undefined, null, '2999-01-01T00:00:00Z', '2000-01-01T00:00:00Z') }),
  });
  set('POST /api/v1/identities/{id}/integration-tokens/{token_id}/revoke', {
    auth: 'admin', path: { ...sacId, token_id: id(fx.sacIntegrationToken) },
    body: body('POST /api/v1/identities/{id}/integration-tokens/{token_id}/revoke', { reason: one(undefined, null, 'fuzz') }), weight: 0.5,
  });
  set('DELETE /api/v1/identities/{id}/integration-tokens/{token_id}', { auth: 'admin', path: { ...sacId, token_id: id(fx.delIntegrationToken) }, body: noBody });
  const sacSet = { id: id(fx.sacSet) };
  set('PUT /api/v1/permissions/sets/{id}', { auth: 'admin', path: sacSet, body: body('PUT /api/v1/permissions/sets/{id}', { grants }) });
  set('POST /api/v1/permissions/sets/{id}/roles', { auth: 'admin', path: sacSet, body: body('POST /api/v1/permissions/sets/{id}/roles', { role: refs('fuzz-role-') }) });
  set('DELETE /api/v1/permissions/sets/roles/{id}', { auth: 'admin', path: { id: id(fx.setRoleBinding) }, body: noBody });
  set('POST /api/v1/permissions/assignments', {
    auth: 'admin',
    body: fc.oneof(
      body('POST /api/v1/permissions/assignments', { identity_id: one(fx.sacIdentity), identity_login: one(undefined), permission_set_ref: one(fx.sacSetRef) }),
      body('POST /api/v1/permissions/assignments', { identity_id: one(undefined), identity_login: one('fuzz-sac'), permission_set_ref: one(fx.sacSetRef) }),
    ),
  });
  set('DELETE /api/v1/permissions/assignments/{id}', { auth: 'admin', path: { id: id(fx.setAssignment) }, body: noBody });

  // sensors (catalog entries for the fixture triggers; never started: no enabled rule uses fuzz.sac_trigger)
  set('POST /api/v1/sensors', {
    auth: 'admin',
    body: body('POST /api/v1/sensors', {
      ref: refs('fuzz.s'), pack_ref: one('fuzz', 'fuzz_missing'), label: str(), entrypoint: one('s.sh'), runtime_ref: one('core.shell', 'shell', 'no_such_runtime'),
      trigger_ref: one('fuzz.sac_trigger', 'fuzz.missing'), param_schema: one(undefined, null, { n: { type: 'integer' } }), enabled: one(undefined, true, false),
    }),
  });
  const sacSensor = { ref: one('fuzz.sac_sensor', 'fuzz.missing') };
  set('PUT /api/v1/sensors/{ref}', { auth: 'admin', path: sacSensor, body: body('PUT /api/v1/sensors/{ref}', { label: one(undefined, null, 'x'), enabled: one(undefined, null, true) }) });
  set('DELETE /api/v1/sensors/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_sensor') }, body: noBody });
  for (const suffix of ['enable', 'disable']) set(`POST /api/v1/sensors/{ref}/${suffix}`, { auth: 'admin', path: sacSensor, body: noBody, weight: 0.5 });

  // workers: only ids no worker holds (a cordoned real worker would stop the stack running actions after the fuzz;
  // cordoning itself is features/tier3/worker-cordon.feature)
  const worker = { id: id(999999, 0) };
  set('POST /api/v1/workers/{id}/cordon', { auth: 'admin', path: worker, body: body('POST /api/v1/workers/{id}/cordon', { reason: one(undefined, null, 'fuzz') }), weight: 0.5 });
  set('POST /api/v1/workers/{id}/uncordon', { auth: 'admin', path: worker, body: noBody, weight: 0.5 });

  // workflows
  set('POST /api/v1/workflows', {
    auth: 'admin',
    body: body('POST /api/v1/workflows', { ref: refs('fuzz.w'), pack_ref: one('fuzz'), label: str(), version: one('1.0.0'), definition: workflowDefinition, param_schema: one(null, { n: { type: 'integer' } }), out_schema: one(null) }),
  });
  set('PUT /api/v1/workflows/{ref}', { auth: 'admin', path: { ref: one('fuzz.sac_wf') }, body: body('PUT /api/v1/workflows/{ref}', { definition: fc.oneof(fc.constant(null), workflowDefinition), version: one(undefined, '1.0.1') }) });
  set('DELETE /api/v1/workflows/{ref}', { auth: 'admin', path: { ref: one('fuzz.del_wf') }, body: noBody });
  // workflow files in the fuzz pack's folder: new files wf1..wf4, and the file of the sacrificial workflow
  set('POST /api/v1/packs/{pack_ref}/workflow-files', {
    auth: 'admin', path: { pack_ref: one('fuzz') },
    body: body('POST /api/v1/packs/{pack_ref}/workflow-files', { name: refs('wf'), pack_ref: one('fuzz'), label: str(), version: one('1.0.0'), definition: workflowDefinition, param_schema: one(null), out_schema: one(null) }),
  });
  set('PUT /api/v1/workflows/{ref}/file', {
    auth: 'admin', path: { ref: one('fuzz.sac_wf') },
    body: body('PUT /api/v1/workflows/{ref}/file', { name: one('sac_wf'), pack_ref: one('fuzz'), label: str(), version: one('1.0.0', '1.0.2'), definition: workflowDefinition, param_schema: one(null), out_schema: one(null) }),
  });
  for (const suffix of ['validate', 'sync']) set(`POST /api/v1/packs/{ref}/workflows/${suffix}`, { auth: 'admin', path: { ref: one('fuzz', 'fuzz_sac') }, body: noBody, weight: 0.5 });

  // inquiries
  set('POST /api/v1/inquiries', {
    auth: 'admin',
    body: body('POST /api/v1/inquiries', { execution: one(fx.sacExecution), response_schema: responseSchema, assigned_to: one(undefined, null, fx.sacIdentity), timeout_at: one(undefined, null, '2099-01-01T00:00:00Z') }),
  });
  const sacInquiry = { id: id(...fx.sacInquiries) };
  set('PUT /api/v1/inquiries/{id}', { auth: 'admin', path: sacInquiry, body: body('PUT /api/v1/inquiries/{id}', { status: one(null, 'pending'), assigned_to: one(undefined, null) }) });
  set('DELETE /api/v1/inquiries/{id}', { auth: 'admin', path: { id: id(fx.delInquiry) }, body: noBody });
  set('POST /api/v1/inquiries/{id}/respond', { auth: 'admin', path: sacInquiry, body: body('POST /api/v1/inquiries/{id}/respond', { response: one<Json>({ ok: true }, { answer: 'yes' }, [1, 2], 'text') }) });

  // the webhook receiver (no authentication; the key is the credential)
  set('POST /api/v1/webhooks/{webhook_key}', {
    auth: 'none', path: { webhook_key: one(fx.webhookKey) },
    body: body('POST /api/v1/webhooks/{webhook_key}', { payload: oddJson(3), headers: one(undefined, null, { 'x-a': 'b' }) }),
  });
  return c;
}
