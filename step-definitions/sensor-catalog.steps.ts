/**
 * Steps about sensors as catalog entries managed through the API (features/tier2/sensors-api.feature): create, read,
 * update, enable/disable, delete, and what the trigger and the lists say about them. Running a pack's sensors is
 * sensors.steps.ts.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import type { RefArg } from '../support/parameter-types';
import { allSensors, enabledList, ofPack, sensorByRef, sensorsOfTrigger } from '../support/questions/catalog';
import { trigger as readTrigger } from '../support/questions/triggers';
import { attemptSensorCreation, createSensor, deleteSensor, switchSensor, updateSensor } from '../support/tasks/sensors';
import type { AttuneWorld } from '../support/world';

function quotedNames(text: string): string[] {
  return text.trim() === 'none' ? [] : [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

Given('a sensor {ref} in my pack serving the trigger {ref}', async function (this: AttuneWorld, sensor: RefArg, trigger: RefArg) {
  await createSensor(this, { name: sensor.name, trigger: trigger.name });
});

When('I create a sensor {ref} in my pack serving the trigger {ref}', async function (this: AttuneWorld, sensor: RefArg, trigger: RefArg) {
  const created = await createSensor(this, { name: sensor.name, trigger: trigger.name });
  expect({ ref: created.ref, pack_ref: created.pack_ref }, 'the sensor the create call answered').to.deep.equal({ ref: sensor.ref, pack_ref: this.packRef });
});

When('I try to create a sensor {ref} in my pack serving the trigger {ref}', async function (this: AttuneWorld, sensor: RefArg, trigger: RefArg) {
  await attemptSensorCreation(this, { name: sensor.name, trigger: trigger.name });
});

When('I update the sensor {ref} with:', async function (this: AttuneWorld, sensor: RefArg, json: string) {
  await updateSensor(this, sensor.name, JSON.parse(json) as Record<string, unknown>);
});

When(/^the sensor "([^"]+)" is (enabled|disabled)$/, async function (this: AttuneWorld, name: string, state: string) {
  const answer = await switchSensor(this, name, state === 'enabled');
  expect(answer.enabled, `"enabled" of sensor ${this.ref(name)} as the ${state === 'enabled' ? 'enable' : 'disable'} call answered it`).to.equal(state === 'enabled');
});

When('I delete the sensor {ref}', async function (this: AttuneWorld, sensor: RefArg) {
  await deleteSensor(this, sensor.name);
});

Then('the sensor {ref} reads:', async function (this: AttuneWorld, sensor: RefArg, table: DataTable) {
  const found = await sensorByRef(this, sensor.ref);
  expect(found.status, `reading sensor ${sensor.ref}`).to.equal(200);
  const expected = table.rowsHash();
  const shown = Object.fromEntries(Object.keys(expected).map((k) => [k, String(found.sensor![k])]));
  expect(shown, `sensor ${sensor.ref} as read back (${JSON.stringify(found.sensor)})`).to.deep.equal(expected);
  expect({ ref: found.sensor!.ref, pack_ref: found.sensor!.pack_ref }, 'where the sensor lives').to.deep.equal({ ref: sensor.ref, pack_ref: this.packRef });
});

Then('there is no sensor {ref}', async function (this: AttuneWorld, sensor: RefArg) {
  const found = await sensorByRef(this, sensor.ref);
  expect(found.status, `reading sensor ${sensor.ref} (${JSON.stringify(found.sensor ?? null)})`).to.equal(404);
});

Then(/^the sensors listed for my pack are exactly (.+)$/, async function (this: AttuneWorld, names: string) {
  const listed = ofPack(await allSensors(this), this.packRef).map((s) => s.ref);
  expect(listed, 'the sensors /api/v1/sensors lists for my pack').to.deep.equal(quotedNames(names).map((n) => this.ref(n)));
});

Then(/^the enabled sensors of my pack are exactly (.+)$/, async function (this: AttuneWorld, names: string) {
  const listed = ofPack(await enabledList(this, 'sensors'), this.packRef).map((s) => s.ref);
  expect(listed, 'the sensors /api/v1/sensors/enabled lists for my pack').to.deep.equal(quotedNames(names).map((n) => this.ref(n)));
});

Then('the trigger {ref} is served by exactly the sensor {ref}', async function (this: AttuneWorld, trigger: RefArg, sensor: RefArg) {
  const listed = (await sensorsOfTrigger(this, trigger.ref)).map((s) => s.ref);
  expect(listed, `the sensors of trigger ${trigger.ref}`).to.deep.equal([sensor.ref]);
  const shown = await readTrigger(this, trigger.ref);
  expect(shown.sensor_ref, `"sensor_ref" of trigger ${trigger.ref}`).to.equal(sensor.ref);
});

Then('the trigger {ref} is served by no sensor', async function (this: AttuneWorld, trigger: RefArg) {
  const listed = (await sensorsOfTrigger(this, trigger.ref)).map((s) => s.ref);
  expect(listed, `the sensors of trigger ${trigger.ref}`).to.deep.equal([]);
});

Then('the sensor is refused with {int} and a JSON error body', function (this: AttuneWorld, status: number) {
  const response = this.scratch.lastResponse as RawResponse | undefined;
  if (!response) throw new Error('no sensor creation was attempted in this scenario ("When I try to create a sensor …")');
  const shown = `${response.status} ${response.contentType}: ${JSON.stringify(response.body)}`;
  expect(response.status, `the status of the answer ${shown}`).to.equal(status);
  expect((response.body as { error?: unknown } | undefined)?.error, `the "error" of the answer ${shown}`).to.be.a('string');
});
