/**
 * Steps about the platform's services: whether the platform is ready to run work (GET /health/ready), and stopping
 * or starting one service through the run's service control (scenarios tagged `@requires-service-control`).
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import { readiness } from '../support/questions/platform';
import { startService, stopService, type ServiceName } from '../support/tasks/services';
import type { AttuneWorld } from '../support/world';

type ReadinessBody = { status?: string; error?: string } | string | null | undefined;

function explain(response: RawResponse<ReadinessBody>): string {
  return `GET /health/ready answered ${response.status}: ${JSON.stringify(response.body)}`;
}

/** The reason a JSON readiness body gives, if any (Attune 0.2.1 documents no body; the reference stack sends one). */
function bodyOf(response: RawResponse<ReadinessBody>): { status?: string; error?: string } | undefined {
  return response.body && typeof response.body === 'object' ? response.body : undefined;
}

Given(/^the (api|executor|worker|sensor|notifier) service is stopped$/, async function (this: AttuneWorld, service: ServiceName) {
  await stopService(this, service);
});

When(/^the (api|executor|worker|sensor|notifier) service is started$/, async function (this: AttuneWorld, service: ServiceName) {
  await startService(this, service);
});

When(/^the (api|executor|worker|sensor|notifier) service is restarted$/, async function (this: AttuneWorld, service: ServiceName) {
  await stopService(this, service);
  await startService(this, service);
});

Then('the platform reports that it is ready', async function (this: AttuneWorld) {
  const response = (await readiness(this.anonymous)) as RawResponse<ReadinessBody>;
  expect(response.status, explain(response)).to.equal(200);
  const body = bodyOf(response);
  if (body) expect(body.status, explain(response)).to.equal('ready');
});

Then('the platform reports that it is not ready because no worker can take work', async function (this: AttuneWorld) {
  const response = (await readiness(this.anonymous)) as RawResponse<ReadinessBody>;
  expect(response.status, explain(response)).to.equal(503);
  const body = bodyOf(response);
  if (body) {
    expect(body.status, explain(response)).to.equal('not_ready');
    expect(body.error, explain(response)).to.match(/worker/i);
  }
});
