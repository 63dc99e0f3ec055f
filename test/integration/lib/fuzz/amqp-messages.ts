/**
 * Malformed AMQP messages for every queue the stack consumes: random bytes, random JSON, and
 * well-formed envelopes of the queue's message type with one part broken (the same mutations as
 * the API fuzz). Ids in the valid envelopes name nothing that exists, so a message that happens to
 * be well-formed is one a consumer may ack and ignore.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applyMutation, describeMutation, mutationFor } from './mutate';
import { oddJson, type Json } from './values';

export interface QueueTarget {
  queue: string;
  exchange: string;
  routingKey: string;
  /** Rejected messages reach attune.dlx (dead-lettered once); otherwise they are simply dropped. */
  dlx: boolean;
  /** Message types consumed here and a payload with ids that name nothing. */
  payloads: Array<{ type: string; payload: Record<string, Json> }>;
}

export interface FuzzMessage {
  target: QueueTarget;
  what: string;
  body: Buffer;
  contentType?: string;
  headers?: Record<string, unknown>;
  /** The body is not an envelope any consumer may act on: it must be rejected. */
  mustReject: boolean;
}

const NO_ID = 900_000_001;

export function payloadsFor(queue: 'events' | 'enforcements' | 'requests' | 'status' | 'completed' | 'inquiries' | 'lifecycle' | 'dispatch' | 'cancel', workerId: number): QueueTarget['payloads'] {
  const at = '2030-01-01T00:00:00.000Z';
  switch (queue) {
    case 'events':
      return [{ type: 'EventCreated', payload: { event_id: NO_ID, trigger_id: NO_ID, trigger_ref: 'fuzz.nothing', sensor_id: null, sensor_ref: 'webhook', payload: { a: 1 }, config: null } }];
    case 'enforcements':
      return [{ type: 'EnforcementCreated', payload: { enforcement_id: NO_ID, rule_id: NO_ID, rule_ref: 'fuzz.nothing', event_id: NO_ID, trigger_ref: 'fuzz.nothing', payload: {} } }];
    case 'requests':
    case 'dispatch':
      return [{ type: 'ExecutionRequested', payload: { execution_id: NO_ID, action_id: NO_ID, action_ref: 'fuzz.nothing', parent_id: null, enforcement_id: null, config: {} } }];
    case 'status':
      return [{ type: 'ExecutionStatusChanged', payload: { execution_id: NO_ID, action_ref: 'fuzz.nothing', previous_status: 'running', new_status: 'canceling', changed_at: at } }];
    case 'completed':
      return [{ type: 'ExecutionCompleted', payload: { execution_id: NO_ID, action_id: NO_ID, action_ref: 'fuzz.nothing', status: 'completed', result: { ok: true }, completed_at: at } }];
    case 'inquiries':
      return [{ type: 'InquiryResponded', payload: { inquiry_id: NO_ID, execution_id: NO_ID, response: { ok: true }, responded_by: NO_ID, responded_at: at } }];
    case 'lifecycle':
      return [
        { type: 'RuleCreated', payload: { rule_id: NO_ID, rule_ref: 'fuzz.nothing', trigger_id: NO_ID, trigger_ref: 'core.intervaltimer', action_id: NO_ID, action_ref: 'core.noop', trigger_params: { unit: 'seconds', interval: 1 }, enabled: true } },
        { type: 'RuleEnabled', payload: { rule_id: NO_ID, rule_ref: 'fuzz.nothing', trigger_ref: 'core.intervaltimer', trigger_params: { unit: 'seconds', interval: 1 } } },
        { type: 'RuleDisabled', payload: { rule_id: NO_ID, rule_ref: 'fuzz.nothing', trigger_ref: 'core.intervaltimer' } },
        { type: 'RuleDeleted', payload: { rule_id: NO_ID, rule_ref: 'fuzz.nothing', trigger_id: NO_ID, trigger_ref: 'core.intervaltimer' } },
        { type: 'PackRegistered', payload: { pack_id: NO_ID, pack_ref: 'fuzz_nothing', version: '1.0.0', runtime_names: [] } },
        { type: 'PackDeleted', payload: { pack_id: NO_ID, pack_ref: 'fuzz_nothing' } },
      ];
    case 'cancel':
      return [{ type: 'ExecutionCancelRequested', payload: { execution_id: NO_ID, worker_id: workerId } }];
  }
}

function envelope(type: string, payload: Json): Record<string, Json> {
  const id = randomUUID();
  return { message_id: id, correlation_id: id, message_type: type, version: '1.0', timestamp: new Date().toISOString(), headers: { retry_count: 0, source_service: 'fuzz' }, payload };
}

/** Whether a body is an envelope a consumer could act on (the stack's own acceptance rule, restated). */
export function isEnvelope(body: Buffer): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const env = raw as Record<string, unknown>;
  const known = ['EventCreated', 'EnforcementCreated', 'ExecutionRequested', 'ExecutionStatusChanged', 'ExecutionCompleted', 'ExecutionCancelRequested',
    'InquiryCreated', 'InquiryResponded', 'NotificationCreated', 'RuleCreated', 'RuleEnabled', 'RuleDisabled', 'RuleDeleted', 'PackRegistered', 'PackDeleted'];
  if (typeof env.message_type !== 'string' || !known.includes(env.message_type)) return false;
  return typeof env.payload === 'object' && env.payload !== null && !Array.isArray(env.payload);
}

const ODD_CONTENT_TYPES = [undefined, 'application/json', 'text/plain', 'application/octet-stream', '', 'application/json; charset=latin1'];

/** One queue's batch of malformed messages. */
export function messagesFor(target: QueueTarget): fc.Arbitrary<FuzzMessage> {
  const base = fc.constantFrom(...target.payloads).map((p) => envelope(p.type, p.payload) as Json);
  const bodies: fc.Arbitrary<{ what: string; body: Buffer }> = fc.oneof(
    { weight: 6, arbitrary: base.chain((env) => mutationFor(env, undefined, true).map((m) => ({ what: `envelope, ${describeMutation(m)}`, body: Buffer.from(JSON.stringify(applyMutation(env, m))) }))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ what: `random bytes ${Buffer.from(b).toString('hex').slice(0, 40)}`, body: Buffer.from(b) })) },
    { weight: 1, arbitrary: oddJson(3).map((v) => ({ what: `random JSON ${JSON.stringify(v).slice(0, 80)}`, body: Buffer.from(JSON.stringify(v) ?? 'null') })) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"', '{"message_type":"constructor","payload":{}}', '{"message_type":"__proto__","payload":{}}', '{"message_type":"toString","payload":{}}', '{"message_type":"hasOwnProperty","payload":{"execution_id":1}}').map((s) => ({ what: `text ${JSON.stringify(s)}`, body: Buffer.from(s) })) },
    { weight: 1, arbitrary: base.map((env) => ({ what: 'envelope, invalid UTF-8 inside', body: Buffer.concat([Buffer.from(JSON.stringify(env).slice(0, -1) + ',"x":"'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('"}')]) })) },
    { weight: 1, arbitrary: base.map((env) => ({ what: 'envelope with a 2 MB payload', body: Buffer.from(JSON.stringify({ ...(env as Record<string, Json>), payload: { ...((env as Record<string, Json>).payload as Record<string, Json>), blob: 'x'.repeat(2 * 1024 * 1024) } })) })) },
  );
  return fc.record({
    b: bodies,
    contentType: fc.constantFrom(...ODD_CONTENT_TYPES),
    headers: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), { maxKeys: 3 }), { nil: undefined }),
  }).map(({ b, contentType, headers }) => ({ target, what: b.what, body: b.body, contentType, headers, mustReject: !isEnvelope(b.body) }));
}
