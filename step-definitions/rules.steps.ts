/**
 * Steps that arrange and change rules (and the scenario's pack they live in).
 */
import { Given, When, type DataTable } from '@cucumber/cucumber';
import type { RefArg } from '../support/parameter-types';
import { ensureOwnPack } from '../support/tasks/packs';
import { createRule, disableRule, enableRule, intervalTimerParams } from '../support/tasks/rules';
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
