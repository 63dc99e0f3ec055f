import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  askAnsweredResult, askTimedOutResult, inquiryStatusOf, isPastTimeout, msUntil, normalizeResponseSchema, notPendingMessage,
  readAskInput, responseMismatchMessage, responseProblems, responseSchemaProblem, timedOutMessage, timeoutAtFrom, timeoutSecondsOf,
} from '../../stack/common/inquiries';
import { inquiryPaging } from '../../stack/api/routes/inquiries';
import { mayReceive } from '../../stack/notifier/visibility';

const APPROVAL = { type: 'object', properties: { approved: { type: 'boolean' }, note: { type: 'string' } }, required: ['approved'] };

describe('inquiry responses against response_schema', () => {
  it('accepts a matching response and anything when there is no schema', () => {
    assert.deepEqual(responseProblems(APPROVAL, { approved: true }), []);
    assert.deepEqual(responseProblems(null, 'whatever'), []);
    assert.deepEqual(responseProblems(undefined, { a: 1 }), []);
    assert.deepEqual(responseProblems({}, 42), []);
  });

  it('names the failing field as a JSON pointer', () => {
    assert.deepEqual(responseProblems(APPROVAL, { approved: 'yes' }), ['/approved must be boolean']);
    assert.deepEqual(responseProblems(APPROVAL, {}), ['/approved is required']);
    assert.deepEqual(responseProblems(APPROVAL, 5), ['/ must be object']);
    assert.equal(
      responseMismatchMessage(responseProblems(APPROVAL, { approved: 1, note: 2 })),
      "Response does not match the inquiry's schema: /approved must be boolean; /note must be string",
    );
  });

  it('names nested fields, extra fields and enum choices', () => {
    const schema = {
      type: 'object',
      properties: { change: { type: 'object', properties: { level: { enum: ['low', 'high'] } }, additionalProperties: false } },
    };
    assert.deepEqual(responseProblems(schema, { change: { level: 'mid' } }), ['/change/level must be one of "low", "high"']);
    assert.deepEqual(responseProblems(schema, { change: { other: 1 } }), ['/change/other is not allowed']);
  });

  it("reads Attune's flat schema form (inline required, secret ignored)", () => {
    const flat = { approved: { type: 'boolean', required: true }, token: { type: 'string', secret: true } };
    assert.deepEqual(normalizeResponseSchema(flat), {
      type: 'object', properties: { approved: { type: 'boolean' }, token: { type: 'string' } }, required: ['approved'],
    });
    assert.deepEqual(responseProblems(flat, {}), ['/approved is required']);
    assert.deepEqual(responseProblems(flat, { approved: false, token: 'x' }), []);
  });

  it('refuses schemas that cannot be compiled, and accepts usable ones', () => {
    assert.equal(responseSchemaProblem(null), null);
    assert.equal(responseSchemaProblem(APPROVAL), null);
    assert.match(responseSchemaProblem({ type: 'nonsense' }) ?? '', /not a valid JSON schema/);
    assert.equal(responseSchemaProblem('text'), 'response_schema must be an object');
  });
});

describe('inquiry timeouts', () => {
  const now = new Date('2026-05-01T10:00:00.000Z');

  it('timeout_at is now + timeout_seconds, or none', () => {
    assert.equal(timeoutAtFrom(now, 60)?.toISOString(), '2026-05-01T10:01:00.000Z');
    assert.equal(timeoutAtFrom(now, '30')?.toISOString(), '2026-05-01T10:00:30.000Z');
    assert.equal(timeoutAtFrom(now, 1.5)?.toISOString(), '2026-05-01T10:00:01.500Z');
    for (const none of [undefined, null, 0, -5, 'soon', NaN, {}]) assert.equal(timeoutAtFrom(now, none), null, String(none));
    assert.equal(timeoutSecondsOf(''), null);
  });

  it('is past once timeout_at is reached', () => {
    assert.equal(isPastTimeout(null, now), false);
    assert.equal(isPastTimeout(new Date(now.getTime() + 1), now), false);
    assert.equal(isPastTimeout(now, now), true);
    assert.equal(isPastTimeout('2026-05-01T09:59:59Z', now), true);
  });

  it('waits until timeout_at, never negative, within what setTimeout allows', () => {
    assert.equal(msUntil(new Date(now.getTime() + 1500), now), 1500);
    assert.equal(msUntil(new Date(now.getTime() - 1500), now), 0);
    assert.equal(msUntil(new Date(now.getTime() + 90 * 86_400_000), now), 2_147_483_647);
  });

  it('the refusal and result texts', () => {
    assert.equal(notPendingMessage(7, 'responded'), 'Inquiry 7 is not pending (status responded)');
    assert.equal(timedOutMessage(7, now), 'Inquiry 7 timed out at 2026-05-01T10:00:00.000Z');
    assert.deepEqual(askAnsweredResult(7, { approved: true }), { succeeded: true, response: { approved: true }, inquiry_id: 7 });
    assert.deepEqual(askAnsweredResult(7, { approved: true }, false), { succeeded: true, inquiry_id: 7 });
    assert.deepEqual(askTimedOutResult(7), { succeeded: false, timed_out: true, error: 'Inquiry 7 timed out' });
  });
});

describe('core.ask input and the inquiry lists', () => {
  it('reads prompt, schema, assignee and timeout from the execution config', () => {
    assert.deepEqual(readAskInput({ prompt: 'Go?', response_schema: APPROVAL, assigned_to: '42', timeout_seconds: 60 }), {
      input: { prompt: 'Go?', response_schema: APPROVAL, assigned_to: 42, timeout_seconds: 60 },
    });
    assert.deepEqual(readAskInput({ prompt: 'Go?', assigned_to: null }), {
      input: { prompt: 'Go?', response_schema: null, assigned_to: null, timeout_seconds: null },
    });
    assert.deepEqual(readAskInput({}), { problem: 'core.ask needs a non-empty prompt' });
    assert.match((readAskInput({ prompt: 'x', assigned_to: 'bob' }) as { problem: string }).problem, /assigned_to/);
    assert.match((readAskInput({ prompt: 'x', response_schema: { type: 'nope' } }) as { problem: string }).problem, /response_schema/);
  });

  it('status names (canceled = cancelled) and paging by offset/limit or page/page_size', () => {
    assert.equal(inquiryStatusOf('canceled'), 'cancelled');
    assert.equal(inquiryStatusOf('Pending'), 'pending');
    assert.equal(inquiryStatusOf('done'), undefined);
    assert.deepEqual(inquiryPaging({}), { page: 1, pageSize: 50, limit: 50, offset: 0 });
    assert.deepEqual(inquiryPaging({ offset: '20', limit: '10' }), { page: 3, pageSize: 10, limit: 10, offset: 20 });
    assert.equal(inquiryPaging({ limit: 9999 }).limit, 500);
    assert.deepEqual(inquiryPaging({ page: 2, page_size: 5 }), { page: 2, pageSize: 5, limit: 5, offset: 5 });
    assert.throws(() => inquiryPaging({ offset: -1 }), /offset|paging/);
  });

  it("the notifier sends an inquiry's frames to its assignee as well as to readers", () => {
    const subject = { kind: 'owned' as const, resource: 'inquiries' as const, target: { owner: 7, id: 3 }, alsoTo: 9 };
    assert.equal(mayReceive([], 9, subject), true, 'the assignee, without any grant');
    assert.equal(mayReceive([], 8, subject), false);
    assert.equal(mayReceive([{ resource: 'inquiries', actions: ['read'], constraints: { owner: 'self' } }], 7, subject), true);
  });
});
