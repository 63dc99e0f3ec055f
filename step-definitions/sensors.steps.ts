/**
 * Steps about a pack's own sensor, run by the sensor service (features/tier3/pack-sensors.feature).
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently, eventually } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { awaitOutcome, executionsOf } from '../support/questions/executions';
import { stdoutOf } from '../support/questions/outcomes';
import { byBoot, readings, shown, type Reading } from '../support/questions/pack-sensors';
import { crashSensor, createSensorRule, installSensorPack, type PackSensor } from '../support/tasks/pack-sensors';
import type { RememberedRule } from '../support/tasks/rules';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';

/** Serverside stamp of a rule's disable (its `updated` after the call), else the suite's clock. */
function disabledAt(world: AttuneWorld, rule: RefArg): number {
  const remembered = world.recall<RememberedRule>('rule', rule.name);
  const at = remembered.disabledAtServer ?? remembered.disabledAt;
  if (at === undefined) throw new Error(`the rule "${rule.name}" was not disabled in this scenario`);
  return at;
}

/** The one start whose readings cover every rule in `rules`, posted after `after` (server time), if any. */
function startServing(list: Reading[], rules: string[], after = 0): string | undefined {
  for (const [boot, group] of byBoot(list.filter((r) => r.created > after))) {
    if (rules.every((ref) => group.some((r) => r.rule_ref === ref))) return boot;
  }
  return undefined;
}

Given('my pack with its own sensor {ref} serving the trigger {ref}', async function (this: AttuneWorld, sensor: RefArg, trigger: RefArg) {
  await installSensorPack(this, sensor.name, trigger.name);
});

Given(
  'a rule {ref} on the trigger {ref} echoes {string} with the sensor parameters:',
  async function (this: AttuneWorld, rule: RefArg, trigger: RefArg, message: string, table: DataTable) {
    await createSensorRule(this, rule.name, trigger.ref, message, table.rowsHash());
  },
);

Then(
  'the sensor {ref} records exactly {int} readings of the rule {ref}, numbered {int} to {int} by one start, each with the reading {string}',
  async function (this: AttuneWorld, sensor: RefArg, count: number, rule: RefArg, from: number, to: number, value: string) {
    const list = await eventually(
      `${count} events of the rule ${rule.ref} from the sensor ${sensor.ref}`,
      () => readings(this, { rule_ref: rule.ref }),
      (l) => l.length >= count,
      { timeoutMs: timeouts.sensorFirstReadings },
    );
    const context = JSON.stringify(shown(list), null, 1);
    expect(list.length, `events of the rule ${rule.ref}: ${context}`).to.equal(count);
    expect(list.map((r) => r.source_ref), `the source of each event: ${context}`).to.deep.equal(list.map(() => sensor.ref));
    expect(list.map((r) => r.seq), `the seq of each event, oldest first: ${context}`).to.deep.equal(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(list.map((r) => r.reading), `the reading of each event: ${context}`).to.deep.equal(list.map(() => value));
    expect(list.map((r) => (r.payload as Record<string, unknown>)?.sensor_ref), `payload.sensor_ref of each event: ${context}`).to.deep.equal(list.map(() => sensor.ref));
    expect(byBoot(list).size, `starts of the sensor behind these events: ${context}`).to.equal(1);
  },
);

Then(
  'the rule {ref} ran exactly {int} executions, completed, printing {string}, {string}, {string}',
  async function (this: AttuneWorld, rule: RefArg, count: number, first: string, second: string, third: string) {
    const texts = [first, second, third];
    const runs = await eventually(`${count} executions of the rule ${rule.ref}`, () => executionsOf(this, { rule_ref: rule.ref }), (l) => l.length >= count, {
      timeoutMs: timeouts.executionTerminal,
    });
    expect(runs.map((r) => r.id), `executions of the rule ${rule.ref}`).to.have.length(count);
    const done = await Promise.all(runs.map((r) => awaitOutcome(this, r.id, 'completed')));
    const printed = done.map((run) => stdoutOf(run).trim()).sort();
    expect(printed, `what the executions of ${rule.ref} printed`).to.deep.equal([...texts].sort());
    expect((await executionsOf(this, { rule_ref: rule.ref })).length, `executions of the rule ${rule.ref} once they all ended`).to.equal(count);
  },
);

Given(
  /^the sensor "([^"]+)" is posting readings of the rules? "([^"]+)"(?: and "([^"]+)")? from one start$/,
  async function (this: AttuneWorld, sensorName: string, first: string, second: string | undefined) {
    const sensor = this.recall<PackSensor>('pack sensor', sensorName);
    const rules = [first, second].filter((n): n is string => !!n).map((n) => this.ref(n));
    const boot = await eventually(
      `events of ${rules.join(' and ')}, two of each, from one start of ${sensor.ref}`,
      () => readings(this, { trigger_ref: sensor.triggerRef }),
      (l) => {
        const b = startServing(l, rules);
        return !!b && rules.every((ref) => l.filter((r) => r.boot === b && r.rule_ref === ref).length >= 2);
      },
      { timeoutMs: timeouts.sensorFirstReadings },
    ).then((l) => startServing(l, rules)!);
    this.scratch['sensor start'] = boot;
  },
);

Then(
  'the sensor {ref} is posting readings of the rule {ref} only, from a new start',
  async function (this: AttuneWorld, sensor: RefArg, rule: RefArg) {
    const previous = this.scratch['sensor start'] as string;
    const list = await eventually(
      `events of ${rule.ref} from a start of ${sensor.ref} other than ${previous}`,
      () => readings(this, { trigger_ref: this.recall<PackSensor>('pack sensor', sensor.name).triggerRef }),
      (l) => l.filter((r) => r.boot !== previous && r.rule_ref === rule.ref).length >= 2,
      { timeoutMs: timeouts.sensorRestarted },
    );
    const fresh = list.filter((r) => r.boot !== previous);
    const context = JSON.stringify(shown(fresh), null, 1);
    expect([...new Set(fresh.map((r) => r.rule_ref))], `the rules served by the new start(s): ${context}`).to.deep.equal([rule.ref]);
    expect(byBoot(fresh).size, `starts after ${previous}: ${context}`).to.equal(1);
    this.scratch['sensor start'] = fresh[0].boot;
  },
);

Then('the rule {ref} records no reading after its disable', async function (this: AttuneWorld, rule: RefArg) {
  const cutoff = disabledAt(this, rule) + timeouts.sensorStopGrace;
  await consistently(
    `no event of the rule ${rule.ref} later than ${timeouts.sensorStopGrace} ms after its disable`,
    timeouts.sensorStopGrace + timeouts.consistently.sensorStoppedQuiet,
    () => readings(this, { rule_ref: rule.ref }),
    (l) => l.filter((r) => r.created > cutoff).length === 0,
  );
});

Then(
  'the trigger {ref} records no reading after the disable of {string}: the sensor is stopped',
  async function (this: AttuneWorld, trigger: RefArg, ruleName: string) {
    const cutoff = disabledAt(this, { name: ruleName, ref: this.ref(ruleName) }) + timeouts.sensorStopGrace;
    await consistently(
      `no event of the trigger ${trigger.ref} later than ${timeouts.sensorStopGrace} ms after the disable of ${ruleName}`,
      timeouts.sensorStopGrace + timeouts.consistently.sensorStoppedQuiet,
      () => readings(this, { trigger_ref: trigger.ref }),
      (l) => l.filter((r) => r.created > cutoff).length === 0,
    );
  },
);

When('the sensor {ref} crashes', async function (this: AttuneWorld, sensor: RefArg) {
  await crashSensor(this, this.recall<PackSensor>('pack sensor', sensor.name), this.scratch['sensor start'] as string);
});

Then(
  'the sensor {ref} is posting readings of the rule {ref} again from a new start, seq counting from {int}',
  async function (this: AttuneWorld, sensor: RefArg, rule: RefArg, first: number) {
    const s = this.recall<PackSensor>('pack sensor', sensor.name);
    const list = await eventually(
      `events of ${rule.ref} from a start of ${sensor.ref} after the crash of ${s.crashedBoot}`,
      () => readings(this, { rule_ref: rule.ref }),
      (l) => l.filter((r) => r.boot !== s.crashedBoot).length >= 2,
      { timeoutMs: timeouts.sensorRestarted },
    );
    const fresh = list.filter((r) => r.boot !== s.crashedBoot);
    const context = JSON.stringify(shown(fresh), null, 1);
    expect(byBoot(fresh).size, `starts after the crash: ${context}`).to.equal(1);
    expect(fresh.slice(0, 2).map((r) => r.seq), `the first two seq numbers of the new start: ${context}`).to.deep.equal([first, first + 1]);
    expect(fresh.map((r) => r.source_ref), `the source of each new event: ${context}`).to.deep.equal(fresh.map(() => sensor.ref));
  },
);

Then('the crashed start of the sensor {ref} records no reading after its crash', async function (this: AttuneWorld, sensor: RefArg) {
  const s = this.recall<PackSensor>('pack sensor', sensor.name);
  const cutoff = (s.crashedAt ?? 0) + timeouts.sensorStopGrace;
  const list = await readings(this, { trigger_ref: s.triggerRef });
  const late = list.filter((r) => r.boot === s.crashedBoot && r.created > cutoff);
  expect(shown(late), `events of the crashed start ${s.crashedBoot} later than ${timeouts.sensorStopGrace} ms after the crash order`).to.deep.equal([]);
});
