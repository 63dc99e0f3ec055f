import assert from 'node:assert/strict';
import * as os from 'node:os';
import { test } from 'node:test';
import { applyPriority } from '../../stack/notifier/priority';

function recorder() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => lines.push({ level, obj, msg });
  return { lines, log: { info: at('info'), warn: at('warn') } as never };
}

test('notifier.priority unset leaves the process priority alone', () => {
  const before = os.getPriority();
  const { lines, log } = recorder();
  applyPriority(undefined, log);
  assert.equal(os.getPriority(), before);
  assert.deepEqual(lines, []);
});

test('notifier.priority out of range or not an integer is refused with a warning naming it', () => {
  const before = os.getPriority();
  for (const bad of [-21, 20, 1.5]) {
    const { lines, log } = recorder();
    applyPriority(bad, log);
    assert.equal(os.getPriority(), before);
    assert.deepEqual(lines.map((l) => [l.level, l.obj.priority]), [['warn', bad]]);
  }
});

test('notifier.priority is applied to the process (a lower priority needs no privilege)', () => {
  const before = os.getPriority();
  const target = Math.min(before + 1, 19);
  const { lines, log } = recorder();
  applyPriority(target, log);
  assert.equal(os.getPriority(), target);
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [['info', 'notifier scheduling priority set']]);
});
