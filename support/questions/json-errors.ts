/**
 * Questions about refusals: the status and the JSON error body Attune answers them with.
 */
import { expect } from 'chai';
import type { RawResponse } from '../api/client';

/** Status and the exact `error` text of a JSON error answer. */
export function expectJsonError(reply: RawResponse, status: number, message: string | undefined, what: string): void {
  expect(reply.status, `${what}: status (body ${JSON.stringify(reply.body)})`).to.equal(status);
  expect(reply.contentType, `${what}: content type`).to.match(/^application\/json/);
  const error = (reply.body as { error?: unknown } | undefined)?.error;
  expect(typeof error === 'string' && error.trim() !== '', `${what}: a JSON error message (${JSON.stringify(reply.body)})`).to.equal(true);
  if (message !== undefined) expect(error, `${what}: the error`).to.equal(message);
}
