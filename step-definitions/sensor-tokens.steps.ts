/**
 * Steps of sensor credentials: issuing a sensor token, renewing it with nothing but itself, and what it may do.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { unwrapBody } from '../support/api/envelopes';
import { expectJsonError } from '../support/questions/json-errors';
import { PACK_REF_PLACEHOLDER } from '../support/tasks/packs';
import { asSensor, askInternalSensorTokenBare, issueSensorToken, renewSensorToken, type SensorToken } from '../support/tasks/sensor-tokens';
import type { AttuneWorld } from '../support/world';

/** Expiry measured against the request's time: the margin covers the request and clock reading (see the feature). */
const EXPIRY_MARGIN_MS = 60_000;

const mine = (world: AttuneWorld, text: string) => text.split(PACK_REF_PLACEHOLDER).join(world.packRef);
const current = (world: AttuneWorld) => world.scratch.sensorToken as SensorToken;

When(
  'the admin issues a sensor token for my sensor {string} with the trigger types {string} for {int} seconds',
  async function (this: AttuneWorld, sensor: string, trigger: string, ttl: number) {
    this.scratch.sensorToken = await issueSensorToken(this, `${this.packRef}.${sensor}`, [`${this.packRef}.${trigger}`], ttl);
  },
);

Given(
  'the admin has issued a sensor token for my sensor {string} with the trigger types {string} and {string}',
  async function (this: AttuneWorld, sensor: string, first: string, second: string) {
    this.scratch.firstSensorToken = await issueSensorToken(this, `${this.packRef}.${sensor}`, [`${this.packRef}.${first}`, `${this.packRef}.${second}`]);
    this.scratch.sensorToken = this.scratch.firstSensorToken;
  },
);

When('the sensor renews its token with nothing but that token', async function (this: AttuneWorld) {
  this.scratch.sensorToken = await renewSensorToken(this, current(this));
});

function expectToken(world: AttuneWorld, login: string, pack: string, triggers: string[], ttl: number): void {
  const token = current(world);
  const sensorRef = mine(world, login).replace(/^sensor:/, '');
  expect(
    { sensor_ref: token.sensor_ref, pack_ref: token.pack_ref, trigger_types: token.trigger_types, token: typeof token.token },
    'the sensor token as answered',
  ).to.deep.equal({ sensor_ref: sensorRef, pack_ref: mine(world, pack), trigger_types: triggers.map((t) => mine(world, t)), token: 'string' });
  const expiresIn = Date.parse(token.expires_at) - token.requestedAt;
  expect(Math.abs(expiresIn - ttl * 1000), `expires_at ${token.expires_at} is ${ttl} s after the request (± ${EXPIRY_MARGIN_MS} ms)`).to.be.below(EXPIRY_MARGIN_MS);
}

Then(
  'the token acts as {string} for the pack {string} and the trigger types {string}, expiring {int} seconds from now',
  function (this: AttuneWorld, login: string, pack: string, trigger: string, ttl: number) {
    expectToken(this, login, pack, [trigger], ttl);
  },
);

Then(
  'the token acts as {string} for the pack {string} and the trigger types {string} and {string}, expiring {int} seconds from now',
  function (this: AttuneWorld, login: string, pack: string, first: string, second: string, ttl: number) {
    expectToken(this, login, pack, [first, second], ttl);
  },
);

Then('the admin reads that identity as the sensor identity of {string}', async function (this: AttuneWorld, sensor: string) {
  const token = current(this);
  const reply = await this.admin.raw('GET', `/api/v1/identities/${token.identity_id}`);
  expect(reply.status, `GET identity ${token.identity_id}: ${JSON.stringify(reply.body)}`).to.equal(200);
  const identity = unwrapBody(reply.body) as { login: string; attributes: unknown; frozen: boolean };
  const sensorRef = mine(this, sensor);
  expect({ login: identity.login, attributes: identity.attributes, frozen: identity.frozen }, 'the sensor identity').to.deep.equal({
    login: `sensor:${sensorRef}`, attributes: { type: 'sensor', sensor_ref: sensorRef }, frozen: false,
  });
});

Then('it is the same identity as before', function (this: AttuneWorld) {
  expect(current(this).identity_id, 'identity of the renewed token').to.equal((this.scratch.firstSensorToken as SensorToken).identity_id);
});

Then('with that sensor token the trigger core.intervaltimer can be read', async function (this: AttuneWorld) {
  const reply = await asSensor(this, current(this), '/api/v1/triggers/core.intervaltimer');
  expect(reply.status, `GET core.intervaltimer as the sensor: ${JSON.stringify(reply.body)}`).to.equal(200);
  expect((unwrapBody(reply.body) as { ref: string }).ref, 'ref').to.equal('core.intervaltimer');
});

Then('with that sensor token listing the packs is answered {int} with a JSON error', async function (this: AttuneWorld, status: number) {
  expectJsonError(await asSensor(this, current(this), '/api/v1/packs'), status, undefined, 'GET /api/v1/packs as the sensor');
});

When('someone asks the internal route for a sensor token with neither a token nor a sensor ref', async function (this: AttuneWorld) {
  this.scratch.lastReply = await askInternalSensorTokenBare(this);
});

Then('the internal route answers {int} with a JSON error', function (this: AttuneWorld, status: number) {
  expectJsonError(this.scratch.lastReply as never, status, undefined, 'POST /auth/internal/sensor-token');
});
