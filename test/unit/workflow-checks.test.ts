import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  templateTextProblem, workflowDefinitionProblem, workflowStructureProblem,
} from '../../stack/api/workflow-checks';

const KNOWN = new Set(['core.echo', 'core.noop', 'demo.sub_workflow']);
const visible = async (ref: string) => KNOWN.has(ref);

type Task = Record<string, unknown>;
const def = (tasks: Task[], extra: Record<string, unknown> = {}) => ({ version: '1.0', tasks, ...extra });
const task = (name: string, more: Task = {}): Task => ({ name, action: 'core.echo', ...more });
const then = (...names: string[]) => ({ next: [{ do: names }] });

async function problem(d: unknown): Promise<string | null> {
  return workflowDefinitionProblem(d, visible);
}

async function refused(d: unknown, ...fragments: string[]): Promise<void> {
  const p = await problem(d);
  assert.ok(p, `expected a refusal mentioning ${fragments.join(', ')}`);
  for (const f of fragments) assert.ok(p.includes(f), `'${p}' should mention '${f}'`);
}

describe('workflow checks: valid definitions', () => {
  it('a single task', async () => {
    assert.equal(await problem(def([task('a')])), null);
  });

  it('a diamond with join 2 (and join all)', async () => {
    const tasks = [
      task('a', then('b', 'c')),
      task('b', then('d')),
      task('c', then('d')),
      task('d', { join: 2 }),
    ];
    assert.equal(await problem(def(tasks)), null);
    tasks[3] = task('d', { join: 'all' });
    assert.equal(await problem(def(tasks)), null);
  });

  it('with_items, concurrency, templates in input / publish / when / output_map', async () => {
    const d = def(
      [
        task('fan', {
          with_items: '{{ parameters.hosts }}',
          concurrency: 2,
          input: { message: 'host {{ item }} #{{ index }}', nested: ['{{ workflow.n + 1 }}', { deep: '{{ parameters.x }}' }], n: 3 },
          next: [
            { when: '{{ succeeded() }}', publish: [{ count: '{{ task.fan.results }}' }], do: ['done'] },
            { when: 'failed()', do: ['cleanup'] },
          ],
        }),
        task('done'),
        task('cleanup'),
      ],
      { output_map: { total: '{{ workflow.count }}', literal: 5 } },
    );
    assert.equal(await problem(d), null);
  });

  it('retry with backoff and a timeout', async () => {
    const d = def([task('flaky', { retry: { count: 3, delay: 1, backoff: 'exponential', max_delay: 10 }, timeout: 30, ...then('next') }), task('next')]);
    assert.equal(await problem(d), null);
  });

  it('a nested workflow task (its action is a workflow companion action)', async () => {
    assert.equal(await problem(def([task('outer', { action: 'demo.sub_workflow', input: { x: '{{ parameters.x }}' } })])), null);
  });

  it('legacy on_success / on_failure / on_complete transitions', async () => {
    const d = def([
      task('first', { on_success: 'second', on_failure: ['cleanup'] }),
      task('second', { on_complete: 'cleanup' }),
      task('cleanup'),
    ]);
    assert.equal(await problem(d), null);
  });

  it('a retry loop that can leave (a cycle with a way out)', async () => {
    const d = def([
      task('start', then('work')),
      task('work', then('check')),
      task('check', { next: [{ when: '{{ failed() }}', do: ['work'] }, { when: '{{ succeeded() }}', do: ['done'] }] }),
      task('done'),
    ]);
    assert.equal(await problem(d), null);
  });
});

describe('workflow checks: refusals', () => {
  it('a: unreadable definitions (unknown do target, duplicate names, bad shapes)', async () => {
    await refused(def([task('a', then('nope'))]), "task 'a': next[0].do names unknown task 'nope'");
    await refused(def([task('a'), task('a')]), "task name 'a' is used twice");
    await refused(def([task('a', { retry: { count: 0 } })]), "task 'a'", 'retry.count');
    await refused(def([task('a', { retry: { count: 2, backoff: 'random' } })]), 'retry.backoff');
    await refused(def([task('a', { join: -1 })]), "task 'a'", 'join');
    await refused(def([task('a', { timeout: 0 })]), "task 'a'", 'timeout');
    await refused(def([task('a', { concurrency: 'lots' })]), "task 'a'", 'concurrency');
    await refused(def([]), "'tasks' must be a non-empty list");
    await refused('not an object', 'JSON object');
  });

  it('b: a task without an action, or with one that does not exist or is not visible', async () => {
    await refused(def([{ name: 'a' }]), "task 'a': action is required");
    await refused(def([task('a', { action: 'pack.missing' })]), "task 'a': action 'pack.missing' not found");
    let asked = 0;
    await workflowDefinitionProblem(def([task('a', then('b')), task('b')]), async () => {
      asked++;
      return true;
    });
    assert.equal(asked, 1, 'each distinct action is looked up once');
  });

  it('c: templates that do not parse, wherever they are', async () => {
    await refused(def([task('a', { next: [{ when: '{{ 1 + }}', do: [] }] })]), "task 'a': next[0].when: invalid expression '{{ 1 + }}'");
    await refused(def([task('a', { next: [{ when: 'succeeded(', do: [] }] })]), "task 'a': next[0].when: invalid expression 'succeeded('");
    await refused(def([task('a', { input: { list: ['ok', { x: 'value {{ ) }}' }] } })]), "task 'a': input.list[1].x: invalid expression '{{ ) }}'");
    await refused(def([task('a', { with_items: '{{ }}' })]), "task 'a': with_items: invalid expression '{{ }}'");
    await refused(def([task('a', { next: [{ publish: [{ v: '{{ a b }}' }] }] })]), "task 'a': next[0].publish.v: invalid expression");
    await refused(def([task('a')], { output_map: { r: '{{ task.a.result ' } }), 'output_map.r: unterminated template');
  });

  it('d: a join larger than the inbound transitions, or on a task without any', async () => {
    await refused(
      def([task('a', then('b', 'c')), task('b', then('d')), task('c', then('d')), task('d', { join: 3 })]),
      "task 'd': join 3 exceeds its 2 inbound transitions",
    );
    await refused(def([task('a', { join: 1 })]), "task 'a': join 1 on a task with no inbound transitions");
    await refused(def([task('a', then('b')), task('b', { join: 'all' }), task('c', { join: 'all' })]), "task 'c'", 'no inbound transitions');
  });

  it('e: a cycle no transition leaves, a self-loop, no entry task', async () => {
    await refused(def([task('start', then('a')), task('a', then('b')), task('b', then('a'))]), "tasks 'a' → 'b' → 'a' form a cycle with no way out");
    await refused(def([task('start', then('a')), task('a', then('a'))]), "tasks 'a' → 'a' form a cycle with no way out");
    await refused(def([task('a', then('b')), task('b', then('a'))]), "tasks 'a' → 'b' → 'a' form a cycle with no way out");
    await refused(
      def([task('x', then('a')), task('a', then('b')), task('b', then('c')), task('c', then('a'))]),
      "tasks 'a' → 'b' → 'c' → 'a' form a cycle with no way out",
    );
    // every task has an inbound transition, but the cycle can be left: still nothing can start
    await refused(def([task('a', then('b')), task('b', then('a', 'c')), task('c', then('a'))]), 'form a cycle with no way out');
    await refused(def([task('a', then('b')), task('b', then('a', 'c')), task('c')]), 'no entry task');
  });

  it('f: a task no entry task reaches', async () => {
    await refused(
      def([task('start', then('end')), task('end'), task('x', then('y')), task('y', then('x', 'z')), task('z')]),
      "task 'x' can never run: no transition leads to it",
    );
  });
});

describe('workflow checks: structure only (pack loading)', () => {
  it('does not look actions up', () => {
    assert.equal(workflowStructureProblem(def([task('a', { action: 'other_pack.not_yet_loaded' })])), null);
  });

  it('applies the structural checks', () => {
    assert.match(workflowStructureProblem(def([task('a', then('nope'))])) ?? '', /unknown task 'nope'/);
    assert.match(workflowStructureProblem(def([task('a', { input: { x: '{{ 1 + }}' } })])) ?? '', /invalid expression/);
    assert.match(workflowStructureProblem(def([task('a', { join: 2 })])) ?? '', /join 2/);
    assert.match(workflowStructureProblem(def([task('a', then('b')), task('b', then('a'))])) ?? '', /cycle with no way out/);
  });
});

describe('templateTextProblem', () => {
  it('accepts text without templates and several valid templates', () => {
    assert.equal(templateTextProblem('plain text'), null);
    assert.equal(templateTextProblem('{{ a }} and {{ b.c[0] }}'), null);
  });
  it('names the first bad template', () => {
    assert.match(templateTextProblem('{{ a }} then {{ b + }}') ?? '', /'\{\{ b \+ \}\}'/);
  });
});
