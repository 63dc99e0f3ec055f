import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { render, renderItems, RunFacts, taskResultView, transitionFires, withDefaults } from '../../stack/executor/workflow/context';
import { DefinitionError, joinRequirement, readWorkflow, retryDelaySeconds } from '../../stack/executor/workflow/definition';

const facts = (over: Partial<RunFacts> = {}): RunFacts => ({
  parameters: { who: 'bob', flag: true, items: ['a', 'b'] },
  variables: { greeting: 'hi', n: 3 },
  tasks: { first: { status: 'completed', result: { data: { msg: 'x' }, msg: 'x', succeeded: true } } },
  system: {},
  ...over,
});

describe('workflow definition reader', () => {
  it('derives inbound transitions, entry tasks and join requirements', () => {
    const spec = readWorkflow({
      version: '1',
      tasks: [
        { name: 'a', action: 'p.x', next: [{ when: '{{ succeeded() }}', do: ['b', 'c'] }] },
        { name: 'b', action: 'p.x', next: [{ do: 'd' }] },
        { name: 'c', action: 'p.x', next: [{ do: ['d'] }] },
        { name: 'd', action: 'p.x', join: 'all' },
        { name: 'e', action: 'p.x', join: 1 },
      ],
    });
    assert.deepEqual(spec.entryTasks, ['a', 'e']);
    assert.deepEqual(spec.inbound.get('d'), ['b', 'c']);
    assert.equal(joinRequirement(spec, spec.byName.get('d')!), 2);
    assert.equal(joinRequirement(spec, spec.byName.get('b')!), 1);
  });

  it('folds legacy on_success/on_failure keys into transitions, publish on the success one', () => {
    const spec = readWorkflow({
      version: '1',
      tasks: [
        { name: 'a', action: 'p.x', on_success: 'b', on_failure: ['c'], publish: [{ v: 1 }] },
        { name: 'b', action: 'p.x' },
        { name: 'c', action: 'p.x' },
      ],
    });
    assert.deepEqual(spec.byName.get('a')!.next, [
      { when: '{{ succeeded() }}', publish: [['v', 1]], do: ['b'] },
      { when: '{{ failed() }}', publish: [], do: ['c'] },
    ]);
  });

  it('refuses unreadable definitions, naming the task', () => {
    assert.throws(() => readWorkflow({ version: '1', tasks: [] }), DefinitionError);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a', next: [{ do: ['zz'] }] }] }), /task 'a': next\[0\]\.do names unknown task 'zz'/);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a' }, { name: 'a' }] }), /used twice/);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a', retry: { count: 0 } }] }), /retry\.count/);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a', retry: { count: 2, backoff: 'random' } }] }), /backoff/);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a', join: 0 }] }), /join/);
    assert.throws(() => readWorkflow({ tasks: [{ name: 'a', concurrency: -1 }] }), /concurrency/);
  });

  it('computes retry delays for each backoff, capped by max_delay', () => {
    const base = { count: 5, delay: 1, maxDelay: null };
    assert.deepEqual([1, 2, 3, 4].map((k) => retryDelaySeconds({ ...base, backoff: 'constant' }, k)), [1, 1, 1, 1]);
    assert.deepEqual([1, 2, 3, 4].map((k) => retryDelaySeconds({ ...base, backoff: 'linear' }, k)), [1, 2, 3, 4]);
    assert.deepEqual([1, 2, 3, 4].map((k) => retryDelaySeconds({ ...base, backoff: 'exponential' }, k)), [1, 2, 4, 8]);
    assert.deepEqual([1, 2, 3, 4].map((k) => retryDelaySeconds({ ...base, backoff: 'exponential', maxDelay: 3 }, k)), [1, 2, 3, 3]);
  });
});

describe('workflow template context', () => {
  it('sees parameters, variables (also as bare names), task results and with_items item/index', () => {
    assert.equal(render('{{ parameters.who }}-{{ workflow.greeting }}-{{ greeting }}', facts()), 'bob-hi-hi');
    assert.equal(render('{{ task.first.result.data.msg }}', facts()), 'x');
    assert.deepEqual(render({ v: '{{ item }}', i: '{{ index }}' }, facts(), { item: { k: 1 }, index: 2 }), { v: { k: 1 }, i: 2 });
    assert.equal(render('{{ vars.n + 1 }}', facts()), 4);
  });

  it('decides transitions by the ended task: succeeded(), failed(), timed_out(), expressions', () => {
    const ok = { outcome: 'completed' as const, result: { data: { x: 5 } } };
    const failed = { outcome: 'failed' as const, result: {} };
    const timedOut = { outcome: 'timeout' as const, result: {} };
    assert.equal(transitionFires(undefined, facts(), failed), true);
    assert.equal(transitionFires('{{ succeeded() }}', facts(), ok), true);
    assert.equal(transitionFires('{{ succeeded() }}', facts(), failed), false);
    assert.equal(transitionFires('{{ failed() }}', facts(), failed), true);
    assert.equal(transitionFires('{{ failed() }}', facts(), timedOut), false);
    assert.equal(transitionFires('{{ timed_out() }}', facts(), timedOut), true);
    assert.equal(transitionFires('{{ result().data.x > 3 }}', facts(), ok), true);
    assert.equal(transitionFires('{{ not parameters.flag }}', facts(), ok), false);
    // an expression that cannot be evaluated fires on success only
    assert.equal(transitionFires('{{ 1 + }}', facts(), ok), true);
    assert.equal(transitionFires('{{ 1 + }}', facts(), failed), false);
  });

  it('merges parsed data keys into a task result without overriding its own keys', () => {
    assert.deepEqual(taskResultView({ succeeded: true, data: { msg: 'm', succeeded: 'no' } }), { succeeded: true, data: { msg: 'm', succeeded: 'no' }, msg: 'm' });
    assert.equal(taskResultView(null), null);
  });

  it('fills parameter defaults from flat and JSON-schema forms', () => {
    assert.deepEqual(withDefaults({ a: { type: 'string', default: 'x' }, b: { default: 2 } }, { b: 5 }), { a: 'x', b: 5 });
    assert.deepEqual(withDefaults({ type: 'object', properties: { a: { default: [] } } }, { a: null }), { a: [] });
  });

  it('renders with_items to a list (a scalar is one item, null is none)', () => {
    assert.deepEqual(renderItems('{{ parameters.items }}', facts()), ['a', 'b']);
    assert.deepEqual(renderItems('{{ parameters.who }}', facts()), ['bob']);
    assert.deepEqual(renderItems('{{ parameters.nothing }}', facts()), []);
  });
});
