import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  renderRuleParams,
  renderTemplate,
  renderWorkflowTemplate,
  resolvePath,
  type RuleTemplateContext,
} from '../../stack/executor/templating';

const ruleCtx: RuleTemplateContext = {
  event: {
    id: 42,
    trigger: 'core.webhook',
    created: '2026-02-01T10:00:00.000Z',
    payload: {
      message: 'hello',
      count: 7,
      ratio: 0.5,
      flag: false,
      nothing: null,
      tags: ['red', 'green'],
      items: [{ name: 'first' }, { name: 'second' }],
      user: { email: 'a@b.c', name: 'Ada' },
      quote: "it's",
    },
  },
  pack: { config: { api_url: 'https://example.test', retries: 3 } },
  system: { timestamp: '2026-02-01T10:00:01.000Z', rule: { id: 9, ref: 'mypack.my_rule' } },
};

describe('resolvePath', () => {
  const c = ruleCtx as unknown as Record<string, unknown>;
  it('walks objects and indexes arrays with numeric segments', () => {
    assert.equal(resolvePath(c, 'event.payload.message'), 'hello');
    assert.equal(resolvePath(c, 'event.payload.tags.1'), 'green');
    assert.equal(resolvePath(c, 'event.payload.items.0.name'), 'first');
    assert.equal(resolvePath(c, ' event.id '), 42);
    assert.equal(resolvePath({ a: { '0': 'key' } }, 'a.0'), 'key');
  });
  it('returns undefined for missing or malformed paths', () => {
    assert.equal(resolvePath(c, 'event.payload.missing'), undefined);
    assert.equal(resolvePath(c, 'event.payload.tags.5'), undefined);
    assert.equal(resolvePath(c, 'event.payload.tags.-1'), undefined);
    assert.equal(resolvePath(c, 'event.payload.message.length'), undefined);
    assert.equal(resolvePath(c, 'event..id'), undefined);
    assert.equal(resolvePath(c, ''), undefined);
    assert.equal(resolvePath(c, 'event.payload.message | default'), undefined);
    assert.equal(resolvePath(c, 'event.constructor'), undefined);
  });
  it('distinguishes a present null from a missing value', () => {
    assert.equal(resolvePath(c, 'event.payload.nothing'), null);
  });
});

describe('renderRuleParams', () => {
  const render = (params: unknown) => renderRuleParams(params, ruleCtx);

  it('keeps the JSON type of whole-string templates', () => {
    assert.deepEqual(
      render({
        n: '{{ event.payload.count }}',
        r: '{{event.payload.ratio}}',
        b: '{{ event.payload.flag }}',
        o: '{{ event.payload.user }}',
        a: '{{ event.payload.tags }}',
        z: '{{ event.payload.nothing }}',
        id: '{{ event.id }}',
        padded: '  {{ event.payload.count }}  ',
      }),
      { n: 7, r: 0.5, b: false, o: { email: 'a@b.c', name: 'Ada' }, a: ['red', 'green'], z: null, id: 42, padded: 7 },
    );
  });
  it('resolves every namespace', () => {
    assert.deepEqual(
      render({
        trigger: '{{ event.trigger }}',
        created: '{{ event.created }}',
        url: '{{ pack.config.api_url }}',
        ts: '{{ system.timestamp }}',
        rule: '{{ system.rule.ref }}#{{ system.rule.id }}',
        first: '{{ event.payload.items.0.name }}',
      }),
      {
        trigger: 'core.webhook',
        created: '2026-02-01T10:00:00.000Z',
        url: 'https://example.test',
        ts: '2026-02-01T10:00:01.000Z',
        rule: 'mypack.my_rule#9',
        first: 'first',
      },
    );
  });
  it('interpolates mixed strings', () => {
    assert.deepEqual(
      render({
        s: 'Msg: {{ event.payload.message }}!',
        n: 'count={{ event.payload.count }} flag={{ event.payload.flag }}',
        o: 'user={{ event.payload.user }} tags={{ event.payload.tags }}',
        nil: '[{{ event.payload.nothing }}][{{ event.payload.missing }}]',
        q: '{{ event.payload.quote }}',
      }),
      {
        s: 'Msg: hello!',
        n: 'count=7 flag=false',
        o: 'user={"email":"a@b.c","name":"Ada"} tags=["red","green"]',
        nil: '[][]',
        q: "it's",
      },
    );
  });
  it('turns missing values and filters into null', () => {
    assert.deepEqual(
      render({
        missing: '{{ event.payload.does_not_exist }}',
        filtered: '{{ event.payload.message | default("x") }}',
        filtered2: '{{ event.payload.missing | default }}',
        legacy: '{{ trigger.payload.message }}',
        keystore: '{{ keystore.secret }}',
        config: '{{ config.api_url }}',
      }),
      { missing: null, filtered: null, filtered2: null, legacy: null, keystore: null, config: null },
    );
  });
  it('walks nested objects and arrays and passes other scalars through', () => {
    assert.deepEqual(
      render({
        nested: { list: ['{{ event.payload.count }}', 'x{{ event.payload.count }}', 5, true, null], deep: { m: '{{ event.payload.message }}' } },
        plain: 'no templates {here}',
        num: 1.5,
      }),
      { nested: { list: [7, 'x7', 5, true, null], deep: { m: 'hello' } }, plain: 'no templates {here}', num: 1.5 },
    );
  });
  it('always returns an object', () => {
    assert.deepEqual(render(null), {});
    assert.deepEqual(render(undefined), {});
    assert.deepEqual(render(['{{ event.id }}']), {});
    assert.deepEqual(render('{{ event.payload.message }}'), {});
    assert.deepEqual(render(5), {});
    // A whole-string template that renders to an object is an object.
    assert.deepEqual(render('{{ event.payload.user }}'), { email: 'a@b.c', name: 'Ada' });
    assert.deepEqual(render({}), {});
  });
  it('does not mutate its input', () => {
    const params = { a: '{{ event.id }}', b: ['{{ event.id }}'] };
    const copy = JSON.parse(JSON.stringify(params));
    render(params);
    assert.deepEqual(params, copy);
  });
});

describe('renderTemplate', () => {
  it('uses any context and leaves unclosed braces alone', () => {
    assert.deepEqual(renderTemplate({ a: '{{ x.y }}', b: 'open {{ x.y' }, { x: { y: [1] } }), { a: [1], b: 'open {{ x.y' });
    assert.equal(renderTemplate('{{ a }}{{ b }}', { a: 1, b: 2 }), '12');
    assert.equal(renderTemplate('{{ a }} and {{ b }}', { a: 'x', b: null }), 'x and ');
    assert.equal(renderTemplate(12, {}), 12);
  });
});

describe('renderWorkflowTemplate', () => {
  const wctx = {
    parameters: { items: [1, 2, 3], name: 'ada', flag: true },
    workflow: { counter: 2 },
    item: { id: 'i1' },
    index: 0,
    __functions__: { result: () => ({ data: { value: 10 } }), succeeded: () => true },
  };
  it('evaluates full expressions and keeps types for whole-string templates', () => {
    assert.deepEqual(
      renderWorkflowTemplate(
        {
          list: '{{ parameters.items }}',
          sum: '{{ sum(parameters.items) * 2 }}',
          cmp: '{{ workflow.counter > 1 }}',
          notflag: '{{ not parameters.flag }}',
          fn: '{{ result().data.value }}',
          ok: '{{ succeeded() }}',
          item: '{{ item.id }}',
          idx: '{{ index }}',
        },
        wctx,
      ),
      { list: [1, 2, 3], sum: 12, cmp: true, notflag: false, fn: 10, ok: true, item: 'i1', idx: 0 },
    );
  });
  it('interpolates mixed strings', () => {
    assert.equal(renderWorkflowTemplate('Hello {{ upper(parameters.name) }} #{{ index + 1 }}', wctx), 'Hello ADA #1');
    assert.equal(renderWorkflowTemplate('items={{ parameters.items }} none={{ nope }}', wctx), 'items=[1,2,3] none=');
  });
  it('yields null for missing values and evaluation errors in whole-string templates', () => {
    assert.equal(renderWorkflowTemplate('{{ parameters.missing }}', wctx), null);
    assert.equal(renderWorkflowTemplate('{{ 1 / 0 }}', wctx), null);
    assert.equal(renderWorkflowTemplate('{{ nosuch() }}', wctx), null);
    assert.equal(renderWorkflowTemplate('x{{ 1 / 0 }}y', wctx), 'xy');
  });
});
