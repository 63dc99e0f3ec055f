import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acceptsResult, aggregate, numberAfter, parseSimpleOutput, runPackTests, testingConfigOf } from '../../stack/api/pack-tests';

const config = (extra: Record<string, unknown> = {}) =>
  testingConfigOf({ testing: { enabled: true, runners: { shell: { type: 'script', entry_point: 'tests/run.sh' } }, ...extra } })!;

test('the testing section: absent or disabled means no tests, malformed is refused', () => {
  assert.equal(testingConfigOf({ ref: 'p' }), null);
  assert.equal(testingConfigOf({ testing: { enabled: false, runners: {} } }), null);
  assert.deepEqual(config().runners, { shell: { type: 'script', entry_point: 'tests/run.sh', timeout: undefined, result_format: undefined } });
  assert.throws(() => testingConfigOf({ testing: { enabled: true, runners: {} } }), /at least one runner/);
  assert.throws(() => testingConfigOf({ testing: { enabled: true, runners: { x: { type: 'make', entry_point: 'a' } } } }), /script, unittest, pytest/);
  assert.throws(() => testingConfigOf({ testing: { enabled: true, runners: { x: { type: 'script', entry_point: '../escape.sh' } } } }), /inside the pack/);
  assert.throws(() => config({ min_pass_rate: 1.5 }), /min_pass_rate/);
  assert.throws(() => config({ on_failure: 'continue' }), /on_failure/);
});

test('the simple format: counts from the output, the exit code when there are none, a non-zero exit always fails one', () => {
  assert.equal(numberAfter('x\nTotal Tests: 36 done\n', 'Total Tests:'), 36);
  assert.equal(numberAfter('Skipped:', 'Skipped:'), undefined);
  const counted = parseSimpleOutput({ exitCode: 0, stdout: 'Total Tests: 10\nPassed: 8\nFailed: 2\n', stderr: '', durationMs: 5 }, 's', 'script');
  assert.deepEqual([counted.total, counted.passed, counted.failed, counted.skipped], [10, 8, 2, 0]);
  const bare = parseSimpleOutput({ exitCode: 3, stdout: '', stderr: 'boom', durationMs: 1 }, 's', 'script');
  assert.deepEqual([bare.total, bare.passed, bare.failed, bare.testCases[0].errorMessage], [1, 0, 1, 'Exit code: 3']);
  const liar = parseSimpleOutput({ exitCode: 1, stdout: 'Total Tests: 1\nPassed: 1\nFailed: 0\n', stderr: '', durationMs: 1 }, 's', 'script');
  assert.deepEqual([liar.total, liar.passed, liar.failed], [1, 0, 1]);
});

test('acceptance: every test passing by default, min_pass_rate lowers the bar, warn/ignore accept anything, no tests never pass', () => {
  const suite = (total: number, passed: number) => ({ name: 's', runnerType: 'script', total, passed, failed: total - passed, skipped: 0, durationMs: 1, testCases: [] });
  const partial = aggregate('p', '1.0.0', new Date().toISOString(), 1, [suite(10, 8)]);
  assert.equal(partial.status, 'failed');
  assert.equal(acceptsResult(config(), partial), false);
  assert.equal(acceptsResult(config({ min_pass_rate: 0.8 }), partial), true);
  assert.equal(acceptsResult(config({ on_failure: 'warn' }), partial), true);
  assert.equal(acceptsResult(config({ min_pass_rate: 0 }), aggregate('p', '1.0.0', '', 1, [])), false);
});

test('a run executes the script in the pack folder with a clean environment; a missing entry point is an error case', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-tests-'));
  try {
    fs.mkdirSync(path.join(dir, 'tests'));
    fs.writeFileSync(path.join(dir, 'tests/run.sh'), 'test -z "$SECRET_OF_API" || exit 9\necho "Total Tests: 2"\necho "Passed: 2"\npwd > where\n');
    process.env.SECRET_OF_API = 'x';
    const ok = await runPackTests(dir, 'p', '1.0.0', config());
    delete process.env.SECRET_OF_API;
    assert.deepEqual([ok.status, ok.totalTests, ok.passed, ok.passRate], ['passed', 2, 2, 1]);
    assert.equal(fs.readFileSync(path.join(dir, 'where'), 'utf8').trim(), fs.realpathSync(dir));
    const missing = await runPackTests(dir, 'p', '1.0.0', testingConfigOf({ testing: { enabled: true, runners: { gone: { type: 'script', entry_point: 'tests/nope.sh' } } } })!);
    assert.equal(missing.testSuites[0].testCases[0].status, 'error');
    assert.equal(acceptsResult(config({ min_pass_rate: 0 }), missing), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
