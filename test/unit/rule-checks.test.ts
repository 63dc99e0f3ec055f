import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { conditionsProblem } from '../../stack/api/rule-checks';

describe('conditionsProblem names what it refuses', () => {
  it('accepts empty conditions, a valid expression (with or without braces) and known operators', () => {
    for (const ok of [null, undefined, {}, [], { expression: 'event.payload.a in [1, 2]' }, { expression: '{{ not event.payload.muted }}' },
      [{ field: 'a.b', operator: 'contains', value: 'x' }]]) {
      assert.equal(conditionsProblem(ok), null, JSON.stringify(ok));
    }
  });

  it('quotes an expression that does not parse, as it was given', () => {
    const problem = conditionsProblem({ expression: '{{ event.payload.a == 1 and }}' });
    assert.ok(problem?.startsWith("conditions.expression '{{ event.payload.a == 1 and }}' is not a valid expression: "), problem ?? '');
  });

  it('names an unknown operator of the array form', () => {
    assert.equal(
      conditionsProblem([{ field: 'level', operator: 'greater_than', value: 3 }]),
      'conditions[0].operator "greater_than" is not one of equals, not_equals, contains',
    );
  });
});
