/**
 * Steps that arrange and change rules (and the scenario's pack they live in).
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { RawResponse } from '../support/api/client';
import type { RefArg } from '../support/parameter-types';
import { ruleByRef, rulesOfPack } from '../support/questions/rules';
import { ensureOwnPack } from '../support/tasks/packs';
import { createRule, deleteRule, disableRule, enableRule, intervalTimerParams } from '../support/tasks/rules';
import type { AttuneWorld } from '../support/world';

Given('a pack of my own', async function (this: AttuneWorld) {
  await ensureOwnPack(this);
});

Given(
  'a rule {ref} that runs {ref} every {duration} with the parameters:',
  async function (this: AttuneWorld, rule: RefArg, action: RefArg, periodMs: number, parameters: DataTable) {
    await createRule(this, {
      name: rule.name,
      trigger_ref: 'core.intervaltimer',
      trigger_params: intervalTimerParams(periodMs),
      action_ref: action.ref,
      action_params: parameters.rowsHash(),
    });
  },
);

Given(
  'a rule {ref} on the trigger {ref} that runs {ref} with:',
  async function (this: AttuneWorld, rule: RefArg, trigger: RefArg, action: RefArg, json: string) {
    const body = JSON.parse(json) as {
      trigger_params?: Record<string, unknown>;
      action_params?: Record<string, unknown>;
      conditions?: Record<string, unknown> | unknown[];
      enabled?: boolean;
    };
    await createRule(this, { name: rule.name, trigger_ref: trigger.ref, action_ref: action.ref, ...body });
  },
);

When('the rule {ref} is disabled', async function (this: AttuneWorld, rule: RefArg) {
  await disableRule(this, rule.name);
});

When('the rule {ref} is enabled', async function (this: AttuneWorld, rule: RefArg) {
  await enableRule(this, rule.name);
});

When('the rule {ref} is deleted', async function (this: AttuneWorld, rule: RefArg) {
  await deleteRule(this, rule.name);
});

Then('the rule is refused as invalid, naming {string}', function (this: AttuneWorld, text: string) {
  const response = this.scratch.lastResponse as RawResponse | undefined;
  if (!response) throw new Error('no rule creation was attempted in this scenario ("When I try to create a rule …")');
  const shown = `${response.status} ${response.contentType}: ${JSON.stringify(response.body)}`;
  // (messages must not start with "expected": cucumber's formatter would then show only the diff)
  expect(response.status, `the status of the answer ${shown}`).to.equal(422);
  expect(response.contentType, `the content type of the answer ${shown}`).to.match(/json/);
  const error = (response.body as { error?: unknown } | undefined)?.error;
  expect(error, `the "error" message of the answer ${shown}, which must name ${JSON.stringify(text)}`).to.be.a('string').that.includes(text);
});

Then('no rule was created in my pack', async function (this: AttuneWorld) {
  const rules = await rulesOfPack(this, this.packRef);
  expect(rules.map((r) => r.ref), `rules of my pack ${this.packRef}`).to.deep.equal([]);
});

Then('there is no rule {ref}', async function (this: AttuneWorld, rule: RefArg) {
  const found = await ruleByRef(this, rule.ref);
  expect(found.status, `reading rule ${rule.ref} (${JSON.stringify(found.rule ?? null)})`).to.equal(404);
});
