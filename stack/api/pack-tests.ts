/**
 * Pack tests, as Attune runs them: the `testing` section of a pack's pack.yaml names runners
 * (`{<name>: {type: script|unittest|pytest, entry_point, timeout?, result_format?}}`); each runner is one
 * suite, run in the pack's directory with a cleared environment, a time limit and capped output. The
 * "simple" result format reads `Total Tests: N`, `Passed: N`, `Failed: N`, `Skipped: N` from the output,
 * falling back to the exit code (one test, passed on exit 0). A run is accepted when it has tests, no
 * suite failed to execute and its pass rate reaches `min_pass_rate` (default 1.0), or whatever the counts
 * when `on_failure` is `warn` or `ignore`. Results are stored in `pack_test_execution`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import type { Queryable } from '../common/db';
import { stringifyExact } from '../common/exact-json';

const MAX_OUTPUT_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_S = 300;
const RUNNER_TYPES = new Set(['script', 'unittest', 'pytest']);

export interface RunnerConfig {
  type: string;
  entry_point: string;
  timeout?: number;
  result_format?: string;
}

export interface TestingConfig {
  enabled: boolean;
  runners: Record<string, RunnerConfig>;
  min_pass_rate?: number;
  on_failure?: 'block' | 'warn' | 'ignore';
}

export type CaseStatus = 'passed' | 'failed' | 'skipped' | 'error';

export interface TestCaseResult {
  name: string;
  status: CaseStatus;
  durationMs: number;
  errorMessage: string | null;
  stdout: string | null;
  stderr: string | null;
}

export interface TestSuiteResult {
  name: string;
  runnerType: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  testCases: TestCaseResult[];
}

/** Attune's PackTestResult (camelCase on the wire). */
export interface PackTestResult {
  packRef: string;
  packVersion: string;
  executionTime: string;
  status: 'passed' | 'failed' | 'skipped' | 'partial';
  totalTests: number;
  passed: number;
  failed: number;
  skipped: number;
  passRate: number;
  durationMs: number;
  testSuites: TestSuiteResult[];
}

export class TestingConfigError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The pack's `testing` section, checked; `null` when the pack declares no tests (no section, or `enabled` not true).
 * Throws TestingConfigError for a section that is there and enabled but malformed.
 */
export function testingConfigOf(manifest: unknown): TestingConfig | null {
  if (!isObject(manifest) || manifest.testing === undefined || manifest.testing === null) return null;
  const t = manifest.testing;
  if (!isObject(t)) throw new TestingConfigError('testing must be a mapping');
  if (t.enabled !== true) return null;
  if (!isObject(t.runners) || Object.keys(t.runners).length === 0) throw new TestingConfigError('testing.runners must name at least one runner');
  const runners: Record<string, RunnerConfig> = {};
  for (const [name, r] of Object.entries(t.runners)) {
    if (!isObject(r)) throw new TestingConfigError(`testing.runners.${name} must be a mapping`);
    if (typeof r.type !== 'string' || !RUNNER_TYPES.has(r.type)) {
      throw new TestingConfigError(`testing.runners.${name}.type must be one of script, unittest, pytest`);
    }
    if (typeof r.entry_point !== 'string' || r.entry_point.trim() === '') throw new TestingConfigError(`testing.runners.${name}.entry_point is required`);
    const entry = path.posix.normalize(r.entry_point.replace(/\\/g, '/'));
    if (entry.startsWith('/') || entry === '..' || entry.startsWith('../')) throw new TestingConfigError(`testing.runners.${name}.entry_point must stay inside the pack`);
    if (r.timeout !== undefined && (typeof r.timeout !== 'number' || !Number.isInteger(r.timeout) || r.timeout < 1 || r.timeout > 3600)) {
      throw new TestingConfigError(`testing.runners.${name}.timeout must be between 1 and 3600 seconds`);
    }
    runners[name] = {
      type: r.type,
      entry_point: entry,
      timeout: r.timeout as number | undefined,
      result_format: typeof r.result_format === 'string' ? r.result_format : undefined,
    };
  }
  const rate = t.min_pass_rate;
  if (rate !== undefined && (typeof rate !== 'number' || rate < 0 || rate > 1)) throw new TestingConfigError('testing.min_pass_rate must be between 0.0 and 1.0');
  const onFailure = t.on_failure;
  if (onFailure !== undefined && onFailure !== 'block' && onFailure !== 'warn' && onFailure !== 'ignore') {
    throw new TestingConfigError('testing.on_failure must be block, warn, or ignore');
  }
  return { enabled: true, runners, min_pass_rate: rate as number | undefined, on_failure: onFailure as TestingConfig['on_failure'] };
}

/** Reads `<dir>/pack.yaml` and returns its testing section (see testingConfigOf). */
export function testingConfigIn(dir: string): TestingConfig | null {
  const file = path.join(dir, 'pack.yaml');
  if (!fs.existsSync(file)) return null;
  let manifest: unknown;
  try {
    manifest = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TestingConfigError(`not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return testingConfigOf(manifest);
}

/** Attune's acceptance rule: tests exist, none failed to execute, pass rate ≥ min_pass_rate (1.0) — or on_failure warn/ignore. */
export function acceptsResult(config: TestingConfig, result: PackTestResult): boolean {
  const executionError = result.testSuites.some((s) => s.testCases.some((c) => c.status === 'error'));
  const meets = result.totalTests > 0 && !executionError && result.passRate >= (config.min_pass_rate ?? 1);
  return meets || config.on_failure === 'warn' || config.on_failure === 'ignore';
}

interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The first integer after `label` on the first line holding it. */
export function numberAfter(text: string, label: string): number | undefined {
  for (const line of text.split('\n')) {
    const at = line.indexOf(label);
    if (at < 0) continue;
    const word = line.slice(at + label.length).trim().split(/\s+/)[0] ?? '';
    return /^-?\d+$/.test(word) ? Number(word) : undefined;
  }
  return undefined;
}

/** The "simple" format: counts from the output, else the exit code; a non-zero exit always counts one failure. */
export function parseSimpleOutput(out: CommandOutput, runner: string, runnerType: string): TestSuiteResult {
  const text = `${out.stdout}\n${out.stderr}`;
  const t = numberAfter(text, 'Total Tests:');
  const p = numberAfter(text, 'Passed:');
  let total: number;
  let passed: number;
  let failed: number;
  let skipped: number;
  if (t === undefined || p === undefined) {
    [total, passed, failed, skipped] = out.exitCode === 0 ? [1, 1, 0, 0] : [1, 0, 1, 0];
  } else {
    total = t;
    passed = p;
    failed = numberAfter(text, 'Failed:') ?? 0;
    skipped = numberAfter(text, 'Skipped:') ?? 0;
  }
  total = Math.max(total, 1);
  passed = Math.max(passed, 0);
  failed = Math.max(failed, 0);
  skipped = Math.max(skipped, 0);
  if (out.exitCode !== 0 && failed === 0) {
    failed = 1;
    total = Math.max(total, failed + skipped);
    passed = Math.min(passed, Math.max(total - failed - skipped, 0));
  }
  return {
    name: runner,
    runnerType,
    total,
    passed,
    failed,
    skipped,
    durationMs: out.durationMs,
    testCases: [
      {
        name: `${runner}_suite`,
        status: out.exitCode === 0 ? 'passed' : 'failed',
        durationMs: out.durationMs,
        errorMessage: out.exitCode === 0 ? null : `Exit code: ${out.exitCode}`,
        stdout: out.stdout === '' ? null : out.stdout,
        stderr: out.stderr === '' ? null : out.stderr,
      },
    ],
  };
}

function runCommand(command: string, args: string[], cwd: string, timeoutMs: number): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd,
      // nothing of the API's own environment (its secrets) reaches the pack's tests
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: cwd, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const chunks: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    const sizes = { stdout: 0, stderr: 0 };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (b: Buffer) => {
        const room = MAX_OUTPUT_BYTES - sizes[stream];
        if (room <= 0) return;
        const piece = b.length > room ? b.subarray(0, room) : b;
        chunks[stream].push(piece);
        sizes[stream] += piece.length;
      });
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Failed to spawn command '${command}': ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`Test execution timed out after ${timeoutMs / 1000} s`));
      resolve({
        exitCode: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(chunks.stdout).toString('utf8'),
        stderr: Buffer.concat(chunks.stderr).toString('utf8'),
        durationMs: Date.now() - started,
      });
    });
  });
}

async function runSuite(packDir: string, name: string, runner: RunnerConfig): Promise<TestSuiteResult> {
  const entry = path.join(packDir, runner.entry_point);
  if (!fs.existsSync(entry)) throw new Error(`test entry point not found: ${runner.entry_point}`);
  const [command, args] =
    runner.type === 'script'
      ? [runner.entry_point.endsWith('.sh') ? '/bin/sh' : '/bin/bash', [runner.entry_point]]
      : runner.type === 'unittest'
        ? ['python3', ['-m', 'unittest', runner.entry_point]]
        : ['python3', ['-m', 'pytest', runner.entry_point, '-v']];
  const out = await runCommand(command, args, packDir, (runner.timeout ?? DEFAULT_TIMEOUT_S) * 1000);
  // "json" is not implemented by Attune either: every format is read as "simple"
  return parseSimpleOutput(out, name, runner.type);
}

/** Runs every runner of the pack's tests in `packDir` and aggregates them (a runner that cannot run is an error case). */
export async function runPackTests(packDir: string, packRef: string, packVersion: string, config: TestingConfig): Promise<PackTestResult> {
  const started = Date.now();
  const executionTime = new Date().toISOString();
  const suites: TestSuiteResult[] = [];
  for (const [name, runner] of Object.entries(config.runners)) {
    try {
      suites.push(await runSuite(packDir, name, runner));
    } catch (err) {
      suites.push({
        name,
        runnerType: runner.type,
        total: 1,
        passed: 0,
        failed: 1,
        skipped: 0,
        durationMs: 0,
        testCases: [{ name: `${name}_execution`, status: 'error', durationMs: 0, errorMessage: (err as Error).message, stdout: null, stderr: null }],
      });
    }
  }
  return aggregate(packRef, packVersion, executionTime, Date.now() - started, suites);
}

export function aggregate(packRef: string, packVersion: string, executionTime: string, durationMs: number, suites: TestSuiteResult[]): PackTestResult {
  const sum = (f: (s: TestSuiteResult) => number) => suites.reduce((n, s) => n + f(s), 0);
  const totalTests = sum((s) => s.total);
  const passed = sum((s) => s.passed);
  const failed = sum((s) => s.failed);
  const skipped = sum((s) => s.skipped);
  const status = failed > 0 ? 'failed' : passed === totalTests ? 'passed' : skipped === totalTests ? 'skipped' : 'partial';
  return {
    packRef, packVersion, executionTime, status, totalTests, passed, failed, skipped,
    passRate: totalTests > 0 ? passed / totalTests : 0,
    durationMs, testSuites: suites,
  };
}

export type TriggerReason = 'install' | 'update' | 'manual' | 'validation';

/** Stores a run; returns its id. */
export async function storeTestRun(db: Queryable, packId: number, reason: TriggerReason, r: PackTestResult): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO pack_test_execution (pack_id, pack_version, execution_time, trigger_reason, total_tests, passed, failed, skipped,
                                      pass_rate, duration_ms, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) RETURNING id`,
    [packId, r.packVersion, r.executionTime, reason, r.totalTests, r.passed, r.failed, r.skipped, r.passRate, r.durationMs, stringifyExact(r)],
  );
  return Number(rows[0].id);
}

/** A stored run as Attune's PackTestExecution (camelCase). */
export function presentTestRun(row: Record<string, unknown>): Record<string, unknown> {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
  return {
    id: Number(row.id),
    packId: Number(row.pack_id),
    packVersion: row.pack_version,
    executionTime: iso(row.execution_time),
    triggerReason: row.trigger_reason,
    totalTests: row.total_tests,
    passed: row.passed,
    failed: row.failed,
    skipped: row.skipped,
    passRate: Number(row.pass_rate),
    durationMs: Number(row.duration_ms),
    result: row.result,
    created: iso(row.created),
  };
}
