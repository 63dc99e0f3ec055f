/**
 * Steps about following runs as Server-Sent Events (features/tier2/execution-follow-up.feature): the execution
 * updates stream, whole or of one run.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { EventStream } from '../support/event-stream';
import { eventually } from '../support/eventually';
import { awaitStreamedRun, streamedChanges } from '../support/questions/execution-stream';
import { execution } from '../support/questions/executions';
import type { ExecutionStatus } from '../support/status';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

const UPDATES = '/api/v1/executions/stream';

function lastRunId(world: AttuneWorld): number {
  return world.recall<{ id: number }>('execution', 'last').id;
}

function followed(world: AttuneWorld): EventStream {
  const stream = world.scratch.executionStream as EventStream | undefined;
  if (!stream) throw new Error('Nobody follows the execution stream; add "Given I am following the execution stream" before acting.');
  return stream;
}

async function follow(world: AttuneWorld, query: string): Promise<void> {
  const stream = await EventStream.open(world, `${UPDATES}${query}`, UPDATES);
  expect({ status: stream.status, contentType: stream.contentType.split(';')[0] }, `GET ${UPDATES}${query}`).to.deep.equal({
    status: 200,
    contentType: 'text/event-stream',
  });
  world.scratch.executionStream = stream;
}

Given('I am following the execution stream', async function (this: AttuneWorld) {
  await follow(this, '');
});

When('I follow the execution stream of that run once it is running', async function (this: AttuneWorld) {
  const id = lastRunId(this);
  await eventually(`execution ${id} to be running`, async () => (await execution(this, id)).status, (s) => s === 'running', {
    timeoutMs: timeouts.executionTerminal,
    failFast: (s) => (s !== 'running' && !['requested', 'scheduling', 'scheduled'].includes(s) ? `it is ${s} already` : undefined),
  });
  await follow(this, `?execution_id=${id}`);
});

Then('the execution stream carried each status of that run once, in order: {statuses}', async function (this: AttuneWorld, expected: ExecutionStatus[]) {
  const id = lastRunId(this);
  const changes = await awaitStreamedRun(followed(this), id);
  expect(changes, `the changes of execution ${id} on the stream`).to.deep.equal(
    expected.map((status) => ({ event: 'message', entity_type: 'execution', entity_id: id, status })),
  );
  this.markAsserted(id);
});

Then('the execution stream carried nothing but that run, and only its status {status}', async function (this: AttuneWorld, status: ExecutionStatus) {
  const id = lastRunId(this);
  const stream = followed(this);
  await awaitStreamedRun(stream, id);
  expect(streamedChanges(stream), `everything the stream of execution ${id} carried`).to.deep.equal([
    { event: 'message', entity_type: 'execution', entity_id: id, status },
  ]);
  this.markAsserted(id);
});

Then("the execution stream carried nothing about tenant {string}'s run", function (this: AttuneWorld, name: string) {
  const theirs = this.tenantNamed(name).recall<{ id: number }>('execution', 'last').id;
  const leaked = streamedChanges(followed(this)).filter((c) => c.entity_id === theirs);
  expect(leaked, `changes of tenant "${name}"'s execution ${theirs} on my stream`).to.deep.equal([]);
});
