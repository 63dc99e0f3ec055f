/**
 * Steps about the platform's infrastructure: its message broker and its database restarting under it (outage drills,
 * `@requires-infra-control`), and whether its services rode the outage out in process (`@requires-service-control`:
 * the supervisor tells their process ids).
 */
import { Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { readiness } from '../support/questions/platform';
import { eventually } from '../support/eventually';
import { bringDatabaseBack, notifierHealth, restartInfrastructure, takeDatabaseAway, type InfraAction } from '../support/tasks/infrastructure';
import { timeouts } from '../support/timeouts';
import { serviceStates, type ServiceState } from '../support/tasks/services';
import type { AttuneWorld } from '../support/world';

const BEFORE_OUTAGE = 'services before the outage';

async function drill(world: AttuneWorld, action: InfraAction): Promise<void> {
  world.scratch[BEFORE_OUTAGE] = await serviceStates();
  const took = await restartInfrastructure(world, action);
  world.attach(`${action}: the platform reported ready again ${took} ms after the drill began`, 'text/plain');
}

When('the message broker restarts', async function (this: AttuneWorld) {
  await drill(this, 'restart-broker');
});

When('the database restarts', async function (this: AttuneWorld) {
  await drill(this, 'restart-database');
});

When('the database goes away', async function (this: AttuneWorld) {
  this.scratch[BEFORE_OUTAGE] = await serviceStates();
  await takeDatabaseAway(this);
});

When('the database comes back', async function (this: AttuneWorld) {
  const took = await bringDatabaseBack(this);
  this.attach(`start-database: the platform and the notifier reported ready again ${took} ms after the database came back`, 'text/plain');
});

Then('the platform reports that it is not ready because of its database', async function (this: AttuneWorld) {
  const answer = await eventually(
    'GET /health/ready to answer 503 naming the database while the database is away',
    () => readiness(this.anonymous),
    (r) => r.status === 503,
    { timeoutMs: timeouts.infraRecovered },
  );
  expect(JSON.stringify(answer.body), 'the readiness answer while the database is away').to.match(/database/i);
});

Then('the notifier reports that it is not listening', async function (this: AttuneWorld) {
  // its LISTEN connection ended with the database's sessions; while it cannot listen again its health MUST say so
  await eventually('the notifier /health to answer 503 while the database is away', notifierHealth, (r) => r.status === 503, {
    timeoutMs: timeouts.infraRecovered,
  });
});

Then('every service rode the outage out without being restarted', async function (this: AttuneWorld) {
  const before = this.scratch[BEFORE_OUTAGE] as Record<string, ServiceState> | undefined;
  expect(before, 'the service states before the outage (taken by the drill step)').to.not.equal(undefined);
  const after = await serviceStates();
  const changed = Object.entries(before!)
    .filter(([name, b]) => b.state === 'ready' && (after[name]?.pid !== b.pid || after[name]?.restarts !== b.restarts || after[name]?.state !== 'ready'))
    .map(([name, b]) => `${name}: pid ${b.pid} → ${after[name]?.pid}, restarts ${b.restarts} → ${after[name]?.restarts}, state ${after[name]?.state}`);
  expect(changed, `services that were restarted or are not ready after the outage:\n${changed.join('\n')}`).to.deep.equal([]);
});
