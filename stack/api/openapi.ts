/**
 * OpenAPI building blocks: the document's header (title, version, security scheme) and JSON-Schema
 * fragments for request/response bodies. Route schemas use these so the generated document lists
 * the same required fields as Attune 0.2.1's document. Schemas are permissive (extra fields allowed);
 * responses are documentation only (the serializer never strips fields).
 */
import type { SwaggerOptions } from '@fastify/swagger';

export type JsonSchema = Record<string, unknown>;

export const API_TITLE = 'Attune API';
export const API_VERSION = '0.2.1';

export const swaggerDocument: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description: 'Attune-compatible automation API (attune-acceptance reference stack)',
    },
    components: {
      securitySchemes: {
        bearer_auth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'JWT access token obtained from /auth/login or /auth/register',
        },
      },
    },
    tags: [
      { name: 'health' }, { name: 'auth' }, { name: 'packs' }, { name: 'actions' }, { name: 'runtimes' },
      { name: 'triggers' }, { name: 'webhooks' }, { name: 'rules' }, { name: 'events' }, { name: 'enforcements' },
      { name: 'executions' }, { name: 'secrets' }, { name: 'permissions' }, { name: 'workflows' }, { name: 'inquiries' },
    ],
  },
};

/** Security requirement for routes that need a bearer token. */
export const bearer = [{ bearer_auth: [] as string[] }];

// ---------------------------------------------------------------------------------------------
// Primitive fragments
// ---------------------------------------------------------------------------------------------
export const str: JsonSchema = { type: 'string' };
export const nstr: JsonSchema = { type: ['string', 'null'] };
export const int: JsonSchema = { type: 'integer' };
export const nint: JsonSchema = { type: ['integer', 'null'] };
export const bool: JsonSchema = { type: 'boolean' };
export const nbool: JsonSchema = { type: ['boolean', 'null'] };
export const ts: JsonSchema = { type: 'string', format: 'date-time' };
export const nts: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
export const anyJson: JsonSchema = {};
export const jsonObject: JsonSchema = { type: 'object', additionalProperties: true };
export const nobj: JsonSchema = { type: ['object', 'null'], additionalProperties: true };
export const strArray: JsonSchema = { type: 'array', items: str };
export const nstrArray: JsonSchema = { type: ['array', 'null'], items: str };
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** An object schema that documents `props`, requires `required`, and tolerates extra fields. */
export function object(props: Record<string, JsonSchema>, required: string[] = [], extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties: props, required, additionalProperties: true, ...extra };
}

/** `{data: <schema>, message?}` — the single-object envelope. */
export function dataOf(schema: JsonSchema, description?: string): JsonSchema {
  return object({ data: schema, message: nstr }, ['data'], description ? { description } : {});
}

export const PaginationMeta = object(
  {
    page: int,
    page_size: int,
    total_items: nint,
    total_pages: nint,
    has_previous: bool,
    has_next: bool,
  },
  ['page', 'page_size', 'has_previous', 'has_next'],
);

/** Paginated list: the array under `items` (current clients) and `data` (older clients). */
export function pageSchema(item: JsonSchema, description?: string): JsonSchema {
  return object(
    { items: arrayOf(item), data: arrayOf(item), pagination: PaginationMeta },
    ['items', 'pagination'],
    description ? { description } : {},
  );
}

export const SuccessResponse = object({ success: bool, message: str }, ['success', 'message'], { description: 'Deleted' });
export const WrappedSuccess = dataOf(object({ success: bool, message: str }, ['success', 'message']), 'Done');

export const ErrorResponse = object(
  { error: { description: 'message, or {code, message} for authentication failures' }, code: str, details: anyJson },
  ['error'],
);

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Validation error',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Error responses for a route's `response` map. */
export function errors(...codes: number[]): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const c of codes) out[c] = { ...ErrorResponse, description: ERROR_TEXT[c] ?? 'Error' };
  return out;
}

/** Path parameter schemas. */
export const refParams = (name = 'ref'): JsonSchema => object({ [name]: str }, [name]);
export const idParams = (name = 'id'): JsonSchema => object({ [name]: { type: 'integer', description: 'numeric id' } }, [name]);

/** Page parameters of the "PaginationParams" family (`page`, `page_size`; `per_page` also accepted). */
export const pageQuery: Record<string, JsonSchema> = {
  page: { type: 'integer', minimum: 1, description: 'page number (1-based)' },
  page_size: { type: 'integer', minimum: 1, description: 'items per page (SQL limit capped at 100)' },
  per_page: { type: 'integer', minimum: 1, description: 'alias of page_size' },
};

/** An op-patch field on update: a plain value, `{op: "set", value}` or `{op: "clear"}`; null or absent = unchanged. */
export function patchOf(description: string): JsonSchema {
  return { description: `${description} (plain value, or {"op":"set","value":…} / {"op":"clear"}; null or absent leaves it unchanged)` };
}

// ---------------------------------------------------------------------------------------------
// Entity schemas (field names as Attune's DTOs)
// ---------------------------------------------------------------------------------------------
const visibility: JsonSchema = { type: 'string', enum: ['public', 'private', 'restricted'] };

export const ActionSummary = object(
  {
    id: int, ref: str, pack: int, pack_ref: str, label: str, description: nstr, entrypoint: str,
    runtime: nint, runtime_ref: nstr, runtime_version_constraint: nstr, workflow_def: nint,
    enabled: bool, accesses_mcp: bool, reference_visibility: visibility, timeout_seconds: nint,
    created: ts, updated: ts,
  },
  ['id', 'ref', 'pack_ref', 'label', 'entrypoint', 'enabled', 'accesses_mcp', 'reference_visibility', 'created', 'updated'],
);

export const ActionResponse = object(
  {
    id: int, ref: str, pack: int, pack_ref: str, label: str, description: nstr, entrypoint: str,
    runtime: nint, runtime_ref: nstr, runtime_version_constraint: nstr, param_schema: nobj, out_schema: nobj,
    workflow_def: nint, is_adhoc: bool, enabled: bool, accesses_mcp: bool, reference_visibility: visibility,
    reference_allowed_pack_refs: strArray, default_execution_permission_set_refs: strArray,
    required_worker_runtimes: jsonObject, worker_selector: jsonObject, worker_tolerations: arrayOf(jsonObject),
    worker_affinity: jsonObject, timeout_seconds: nint, max_retries: int,
    parameter_delivery: str, parameter_format: str, output_format: str, created: ts, updated: ts,
  },
  ['id', 'ref', 'pack', 'pack_ref', 'label', 'entrypoint', 'enabled', 'param_schema', 'out_schema', 'is_adhoc', 'accesses_mcp', 'reference_visibility', 'created', 'updated'],
);

export const QueueStatsResponse = object(
  {
    action_id: int, action_ref: str, queue_length: int, active_count: int, max_concurrent: int,
    oldest_enqueued_at: nts, total_enqueued: int, total_completed: int, last_updated: ts,
  },
  ['action_id', 'action_ref', 'active_count', 'last_updated', 'max_concurrent', 'queue_length', 'total_completed', 'total_enqueued'],
);

export const RuntimeSummary = object(
  { id: int, ref: str, pack_ref: nstr, description: nstr, name: str, aliases: strArray, created: ts, updated: ts },
  ['id', 'ref', 'name', 'created', 'updated'],
);

export const RuntimeResponse = object(
  {
    id: int, ref: str, pack: nint, pack_ref: nstr, description: nstr, name: str, aliases: strArray,
    distributions: jsonObject, installation: nobj, execution_config: jsonObject, created: ts, updated: ts,
  },
  ['id', 'ref', 'name', 'distributions', 'installation', 'execution_config', 'created', 'updated'],
);

export const TriggerSummary = object(
  {
    id: int, ref: str, pack: nint, pack_ref: nstr, label: str, description: nstr, enabled: bool,
    webhook_enabled: bool, reference_visibility: visibility, created: ts, updated: ts,
  },
  ['id', 'ref', 'label', 'enabled', 'webhook_enabled', 'reference_visibility', 'created', 'updated'],
);

export const TriggerResponse = object(
  {
    id: int, ref: str, pack: nint, pack_ref: nstr, label: str, description: nstr, enabled: bool,
    param_schema: nobj, out_schema: nobj, webhook_enabled: bool,
    webhook_key: { type: 'string', description: 'present only while webhooks are enabled' },
    is_adhoc: bool, sensor: nint, sensor_ref: nstr, reference_visibility: visibility,
    reference_allowed_pack_refs: strArray, created: ts, updated: ts,
  },
  ['id', 'ref', 'label', 'enabled', 'param_schema', 'out_schema', 'webhook_enabled', 'is_adhoc', 'reference_visibility', 'created', 'updated'],
);

export const WebhookReceiverResponse = object(
  { event_id: int, trigger_ref: str, received_at: ts, message: str },
  ['event_id', 'trigger_ref', 'received_at', 'message'],
);

const conditionsSchema: JsonSchema = {
  description: 'array of {field, operator, value}, or {"expression": "..."}, or empty',
  type: ['object', 'array', 'null'],
};

export const RuleSummary = object(
  {
    id: int, ref: str, pack_ref: str, label: str, description: nstr, action_ref: str, trigger_ref: str,
    action_params: jsonObject, trigger_params: jsonObject, enabled: bool, created: ts, updated: ts,
  },
  ['id', 'ref', 'pack_ref', 'label', 'action_ref', 'trigger_ref', 'action_params', 'trigger_params', 'enabled', 'created', 'updated'],
);

export const RuleResponse = object(
  {
    id: int, ref: str, pack: int, pack_ref: str, label: str, description: nstr, action: nint, action_ref: str,
    trigger: nint, trigger_ref: str, conditions: conditionsSchema, action_params: jsonObject,
    trigger_params: jsonObject, enabled: bool, is_adhoc: bool, owner_identity: nint,
    permission_set_refs: nstrArray, trace_tag_template: nstr, created: ts, updated: ts,
  },
  ['id', 'ref', 'pack', 'pack_ref', 'label', 'action_ref', 'trigger_ref', 'conditions', 'action_params', 'trigger_params', 'enabled', 'is_adhoc', 'created', 'updated'],
);

export const EventSummary = object(
  {
    id: int, trigger: nint, trigger_ref: str, source: nint, source_ref: nstr, rule: nint, rule_ref: nstr,
    has_payload: bool, trace_tag: nstr, created: ts,
  },
  ['id', 'trigger_ref', 'has_payload', 'created'],
);

export const EventResponse = object(
  {
    id: int, trigger: nint, trigger_ref: str, config: nobj, payload: anyJson, source: nint, source_ref: nstr,
    rule: nint, rule_ref: nstr, trace_tag: nstr, created: ts,
  },
  ['id', 'trigger_ref', 'config', 'payload', 'created'],
);

const enforcementStatus: JsonSchema = { type: 'string', enum: ['created', 'processed', 'disabled'] };
const enforcementCondition: JsonSchema = { type: 'string', enum: ['any', 'all'] };

export const EnforcementSummary = object(
  {
    id: int, rule: nint, rule_ref: str, trigger_ref: str, event: nint, status: enforcementStatus,
    condition: enforcementCondition, created: ts, resolved_at: nts,
  },
  ['id', 'rule_ref', 'trigger_ref', 'status', 'condition', 'created'],
);

export const EnforcementResponse = object(
  {
    id: int, rule: nint, rule_ref: str, trigger_ref: str, config: nobj, event: nint, status: enforcementStatus,
    payload: anyJson, condition: enforcementCondition, conditions: anyJson, trace_tag: nstr, created: ts, resolved_at: nts,
  },
  ['id', 'rule_ref', 'trigger_ref', 'config', 'status', 'payload', 'condition', 'conditions', 'created'],
);

export const executionStatus: JsonSchema = {
  type: 'string',
  enum: ['requested', 'scheduling', 'scheduled', 'running', 'completed', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'],
};

export const ExecutionSummary = object(
  {
    id: int, action: nint, action_ref: str, status: executionStatus, parent: nint, enforcement: nint, executor: nint,
    worker: nint, rule_ref: nstr, trigger_ref: nstr, started_at: nts, workflow_task: nobj, created: ts, updated: ts,
  },
  ['id', 'action_ref', 'status', 'created', 'updated'],
);

export const ExecutionResponse = object(
  {
    id: int, action: nint, action_ref: str, config: nobj, parent: nint, enforcement: nint, executor: nint,
    worker: nint, status: executionStatus, result: nobj, started_at: nts, timeout_seconds: nint,
    workflow_task: nobj, original_execution: nint, permission_set_refs: nstrArray, trace_tag: nstr,
    created: ts, updated: ts,
  },
  ['id', 'action_ref', 'config', 'status', 'result', 'created', 'updated'],
);

export const ExecutionStats = object(
  { total: int, completed: int, failed: int, running: int, pending: int, cancelled: int, timeout: int, abandoned: int },
  ['total', 'completed', 'failed', 'running', 'pending', 'cancelled', 'timeout', 'abandoned'],
);

export const ownerType: JsonSchema = { type: 'string', enum: ['system', 'identity', 'pack', 'action', 'sensor'] };

export const KeySummary = object(
  {
    id: int, ref: str, owner_type: ownerType, owner: nstr, owner_identity: nint, owner_pack_ref: nstr,
    owner_action_ref: nstr, owner_sensor_ref: nstr, name: str, encrypted: bool, expires_at: nts, created: ts,
  },
  ['id', 'ref', 'owner_type', 'name', 'encrypted', 'created'],
);

export const KeyResponse = object(
  {
    id: int, ref: str, owner_type: ownerType, owner: nstr, owner_identity: nint, owner_pack: nint, owner_pack_ref: nstr,
    owner_action: nint, owner_action_ref: nstr, owner_sensor: nint, owner_sensor_ref: nstr, name: str,
    encrypted: bool, value: { description: 'the value (any JSON); null when encrypted and the caller may not decrypt' },
    expires_at: nts, created_by: nint, created: ts, updated: ts,
  },
  ['id', 'ref', 'owner_type', 'name', 'encrypted', 'value', 'created', 'updated'],
);

export const RoleAssignment = object(
  { id: int, identity_id: int, role: str, source: str, managed: bool, created: ts, updated: ts },
  ['id', 'identity_id', 'role', 'source', 'managed', 'created', 'updated'],
);

export const PermissionAssignment = object(
  { id: int, identity_id: int, permission_set_id: int, permission_set_ref: str, created: ts },
  ['id', 'identity_id', 'permission_set_id', 'permission_set_ref', 'created'],
);

export const PermissionSetRole = object(
  { id: int, permission_set_id: int, permission_set_ref: nstr, role: str, created: ts },
  ['id', 'permission_set_id', 'role', 'created'],
);

export const Grant = object(
  { resource: str, actions: strArray, constraints: nobj },
  ['resource', 'actions'],
);

export const PermissionSet = object(
  { id: int, ref: str, pack_ref: nstr, label: nstr, description: nstr, grants: arrayOf(Grant), roles: arrayOf(PermissionSetRole) },
  ['id', 'ref', 'grants', 'roles'],
);

export const IdentitySummary = object(
  { id: int, login: str, display_name: nstr, frozen: bool, attributes: jsonObject, roles: strArray, created: ts, updated: ts },
  ['id', 'login', 'frozen', 'attributes', 'roles'],
);

export const IdentityResponse = object(
  {
    id: int, login: str, display_name: nstr, frozen: bool, attributes: jsonObject,
    roles: arrayOf(RoleAssignment), direct_permissions: arrayOf(PermissionAssignment), created: ts, updated: ts,
  },
  ['id', 'login', 'frozen', 'attributes', 'roles', 'direct_permissions'],
);

export const IntegrationToken = object(
  {
    id: int, identity_id: int, label: str, description: nstr, token_prefix: str, token_suffix: str, active: bool,
    created_by: nint, expires_at: nts, last_used_at: nts, last_used_ip: nstr, revoked_at: nts, revoked_by: nint,
    revocation_reason: nstr, created: ts, updated: ts,
  },
  ['id', 'identity_id', 'label', 'token_prefix', 'token_suffix', 'active', 'created', 'updated'],
);

export const UserInfo = object({ id: int, login: str, display_name: nstr }, ['id', 'login']);

export const TokenResponse = object(
  { access_token: str, refresh_token: str, token_type: str, expires_in: int, user: UserInfo },
  ['access_token', 'refresh_token', 'token_type', 'expires_in'],
);

export const CurrentUser = object(
  {
    id: int, login: str, display_name: nstr, auth_provider: str, is_local: bool, can_change_password: bool,
    frozen: bool, attributes: jsonObject, effective_permissions: arrayOf(Grant), assigned_permission_set_refs: strArray,
  },
  ['id', 'login', 'auth_provider', 'is_local', 'can_change_password', 'effective_permissions', 'assigned_permission_set_refs'],
);

export const AuthSettings = object(
  {
    authentication_enabled: bool, local_password_enabled: bool, local_password_visible_by_default: bool,
    oidc_enabled: bool, oidc_visible_by_default: bool, oidc_provider_name: nstr, oidc_provider_label: nstr,
    oidc_provider_icon_url: nstr, ldap_enabled: bool, ldap_visible_by_default: bool, ldap_provider_name: nstr,
    ldap_provider_label: nstr, ldap_provider_icon_url: nstr, self_registration_enabled: bool,
  },
  [
    'authentication_enabled', 'local_password_enabled', 'local_password_visible_by_default', 'oidc_enabled',
    'oidc_visible_by_default', 'ldap_enabled', 'ldap_visible_by_default', 'self_registration_enabled',
  ],
);

export const SensorTokenResponse = object(
  {
    identity_id: int, sensor_ref: str, token: str, expires_at: ts, trigger_types: strArray,
    permission_set_refs: strArray, pack_ref: nstr,
  },
  ['identity_id', 'sensor_ref', 'token', 'expires_at', 'trigger_types', 'permission_set_refs'],
);

export const WorkflowSummary = object(
  { id: int, ref: str, pack_ref: str, label: str, description: nstr, version: str, tags: strArray, created: ts, updated: ts },
  ['id', 'ref', 'pack_ref', 'label', 'version', 'tags', 'created', 'updated'],
);

export const WorkflowResponse = object(
  {
    id: int, ref: str, pack: int, pack_ref: str, label: str, description: nstr, version: str,
    param_schema: nobj, out_schema: nobj, definition: jsonObject, tags: strArray, created: ts, updated: ts,
  },
  ['id', 'ref', 'pack', 'pack_ref', 'label', 'version', 'param_schema', 'out_schema', 'definition', 'tags', 'created', 'updated'],
);

export const inquiryStatus: JsonSchema = { type: 'string', enum: ['pending', 'responded', 'timeout', 'cancelled'] };

export const InquirySummary = object(
  { id: int, execution: int, prompt: str, assigned_to: nint, status: inquiryStatus, has_response: bool, timeout_at: nts, created: ts },
  ['id', 'execution', 'prompt', 'status', 'has_response', 'created'],
);

export const InquiryResponse = object(
  {
    id: int, execution: int, prompt: str, response_schema: nobj, assigned_to: nint, status: inquiryStatus,
    response: { description: 'the answer (any JSON; null while unanswered)' }, timeout_at: nts, responded_at: nts, created: ts, updated: ts,
  },
  ['id', 'execution', 'prompt', 'response_schema', 'status', 'response', 'created', 'updated'],
);

// --- policies (Attune Late: /api/v1/policies) ------------------------------------------------------------------------
export const policyMethod: JsonSchema = { type: 'string', enum: ['cancel', 'enqueue'] };
export const policyScopeType: JsonSchema = { type: 'string', enum: ['global', 'pack', 'action'] };

export const ConcurrencyPolicyRequest = object(
  { limit: { type: 'integer', minimum: 1, maximum: 2147483647 }, method: policyMethod, parameters: { type: 'array', items: str, default: [] } },
  ['limit', 'method'],
);
export const RateLimitPolicyRequest = object(
  { max_executions: { type: 'integer', minimum: 1, maximum: 2147483647 }, window_seconds: { type: 'integer', minimum: 1, maximum: 2147483647 } },
  ['max_executions', 'window_seconds'],
);
export const QuotaPolicyRequest = object(
  { quota_type: { type: 'string', enum: ['running_executions', 'executions_total'] }, limit: { type: 'integer', minimum: 1 } },
  ['quota_type', 'limit'],
);
export const PolicyScopeRequest = object({ type: policyScopeType, pack_ref: nstr, action_ref: nstr }, ['type']);

export const PolicyResponse = object(
  {
    id: int, ref: str, name: str, description: nstr, enabled: bool, priority: int,
    scope: object({ type: policyScopeType, pack: nint, pack_ref: nstr, action: nint, action_ref: nstr }, ['type']),
    concurrency: { type: ['object', 'null'], properties: { limit: int, method: policyMethod, parameters: strArray }, required: ['limit', 'method', 'parameters'] },
    rate_limit: { type: ['object', 'null'], properties: { max_executions: int, window_seconds: int }, required: ['max_executions', 'window_seconds'] },
    quotas: arrayOf(object({ quota_type: str, limit: int }, ['quota_type', 'limit'])),
    tags: strArray, created: ts, updated: ts,
  },
  ['id', 'ref', 'name', 'enabled', 'priority', 'scope', 'quotas', 'tags', 'created', 'updated'],
);
