/**
 * Steps about chains of webhooks: rules that hand a webhook's key to a workflow that posts to it, what each link of
 * the chain recorded and ran, and where a failing link stopped the chain.
 */
import { Given, Then, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { consistently } from '../support/eventually';
import type { RefArg } from '../support/parameter-types';
import { eventsOf } from '../support/questions/events';
import { executionsOf, type Execution } from '../support/questions/executions';
import { resultOf, stdoutOf } from '../support/questions/outcomes';
import { chainLink, type ChainLinkSeen } from '../support/questions/webhook-chain';
import { attemptsOf, fullChildrenOf } from '../support/questions/workflows';
import { createRule, type RememberedRule } from '../support/tasks/rules';
import { timeouts } from '../support/timeouts';
import type { AttuneWorld } from '../support/world';
import { parseJson } from '../support/json-text';

const LINK = 'chain link';


Given(
  'a rule {ref} on the webhook {ref} that runs {ref} with the key of the webhook {ref} as {string} and the parameters:',
  async function (this: AttuneWorld, rule: RefArg, trigger: RefArg, action: RefArg, next: RefArg, parameter: string, json: string) {
    const params = parseJson(json, 'the rule parameters') as Record<string, unknown>;
    const key = this.recall<string>('webhook', next.ref);
    await createRule(this, { name: rule.name, trigger_ref: trigger.ref, action_ref: action.ref, action_params: { ...params, [parameter]: key } });
  },
);

Given(
  'a rule {ref} on the webhook {ref} that runs {ref} with the parameters:',
  async function (this: AttuneWorld, rule: RefArg, trigger: RefArg, action: RefArg, json: string) {
    const params = parseJson(json, 'the rule parameters') as Record<string, unknown>;
    await createRule(this, { name: rule.name, trigger_ref: trigger.ref, action_ref: action.ref, action_params: params });
  },
);

Then('the chain ran link by link:', async function (this: AttuneWorld, table: DataTable) {
  for (const row of table.hashes()) {
    const rule = this.recall<RememberedRule>('rule', row.rule);
    const link = await chainLink(this, this.ref(row.webhook), rule);
    this.markAsserted(link.run.id);
    expect(link.event.payload, `payload of event ${link.event.id} of the webhook "${row.webhook}"`).to.deep.equal(
      parseJson(row['payload received'], `the payload expected at "${row.webhook}"`),
    );
    expect(
      { action_ref: link.run.action_ref, status: link.run.status },
      `the run ${link.run.id} the rule "${row.rule}" started (result ${JSON.stringify(link.run.result)})`,
    ).to.deep.equal({ action_ref: this.ref(row.ran), status: row.outcome });
    // the tasks of a workflow run ended too (a failed task is asserted on by a later step)
    (await fullChildrenOf(this, link.run.id)).forEach((child) => this.markAsserted(child.id));
    this.remember<ChainLinkSeen>(LINK, row.rule, link);
    this.remember<ChainLinkSeen[]>(LINK, 'in order', [...(this.recallMaybe<ChainLinkSeen[]>(LINK, 'in order') ?? []), link]);
  }
});

Then("each workflow's task {string} answered with the id of the event its post created", async function (this: AttuneWorld, task: string) {
  const links = this.recall<ChainLinkSeen[]>(LINK, 'in order');
  for (const [i, link] of links.slice(0, -1).entries()) {
    const runs = await attemptsOf(this, link.run.id, task);
    expect(
      runs.map((r: Execution) => ({ status: r.status, data: resultOf(r).data })),
      `the task "${task}" of run ${link.run.id} (link ${i + 1})`,
    ).to.deep.equal([{ status: 'completed', data: { event_id: links[i + 1].event.id } }]);
  }
});

Then('the run of the rule {ref} printed exactly the line {string}', function (this: AttuneWorld, rule: RefArg, line: string) {
  const { run } = this.recall<ChainLinkSeen>(LINK, rule.name);
  expect(stdoutOf(run), `stdout of run ${run.id} (result ${JSON.stringify(run.result)})`).to.equal(`${line}\n`);
});

Then(
  'the run of the rule {ref} failed in its task {string} with the error {string}',
  async function (this: AttuneWorld, rule: RefArg, task: string, error: string) {
    const { run } = this.recall<ChainLinkSeen>(LINK, rule.name);
    const runs = await attemptsOf(this, run.id, task);
    runs.forEach((r) => this.markAsserted(r.id));
    expect(
      runs.map((r) => ({ status: r.status, error: resultOf(r).error })),
      `the task "${task}" of run ${run.id}: ${runs.map((r) => JSON.stringify(r.result)).join('; ')}`,
    ).to.deep.equal([{ status: 'failed', error }]);
    expect(
      { status: run.status, error: resultOf(run).error },
      `workflow run ${run.id} of the rule ${rule.ref} (result ${JSON.stringify(run.result)})`,
    ).to.deep.equal({ status: 'failed', error: `Workflow failed: 1 task(s) failed: ${task}` });
  },
);

Then(
  'nothing happened after it: the trigger {ref} records no event and the rule {ref} runs nothing',
  async function (this: AttuneWorld, trigger: RefArg, rule: RefArg) {
    await consistently(
      `the webhook ${trigger.ref} has no event and the rule ${rule.ref} no execution`,
      timeouts.consistently.chainNoFurtherStep,
      async () => ({
        events: (await eventsOf(this, { trigger_ref: trigger.ref }, this.admin)).map((e) => `event #${e.id}`),
        executions: (await executionsOf(this, { rule_ref: rule.ref }, this.admin)).map((e) => `execution #${e.id} ${e.status}`),
      }),
      (seen) => {
        expect(seen, `what followed at ${trigger.ref}`).to.deep.equal({ events: [], executions: [] });
      },
    );
  },
);
