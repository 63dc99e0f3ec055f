import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildResult, runProcess, type ProcessSpec } from '../../stack/worker/process-runner';
import { BoundedOutput } from '../../stack/worker/output';

// SHLVL keeps bash from sourcing ~/.bashrc when its stdin is a socket (node's pipes are socketpairs).
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SHLVL: '1', LANG: 'C' };

function spec(script: string, extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { command: 'bash', args: ['-c', script], env, maxStdoutBytes: 1 << 20, maxStderrBytes: 1 << 20, ...extra };
}

function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // zombie = dead
  } catch {
    return true;
  }
}

async function waitDead(pid: number, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (isDead(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return isDead(pid);
}

describe('runProcess', () => {
  it('captures stdout/stderr and the exit code of a process that exits 3', async () => {
    const o = await runProcess(spec('echo out; echo err >&2; exit 3'));
    assert.equal(o.exitCode, 3);
    assert.equal(o.signal, null);
    assert.equal(o.stdout.text(), 'out\n');
    assert.equal(o.stderr.text(), 'err\n');
    assert.equal(o.timedOut, false);
    assert.equal(o.cancelled, false);
    assert.equal(o.spawnError, undefined);
    assert.ok(o.durationMs >= 0 && Number.isInteger(o.durationMs));
    const r = buildResult(o, { outputFormat: 'text' });
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.result, { succeeded: false, exit_code: 3, duration_ms: o.durationMs, error: 'err', stdout: 'out\n', stderr: 'err\n' });
  });

  it('delivers stdin then closes it', async () => {
    const o = await runProcess(spec('read -r line; echo "got:$line"; cat; echo "<eof>"', { stdin: '{"a":1}\nsecond\n' }));
    assert.equal(o.exitCode, 0);
    assert.equal(o.stdout.text(), 'got:{"a":1}\nsecond\n<eof>\n');
  });

  it('hands descriptor3 to the child as file descriptor 3, read to its end, beside stdin', async () => {
    const o = await runProcess(spec('eval "$(cat <&3)"; exec 3<&-; read -r line; echo "$greeting/$line"', { descriptor3: "greeting='hi there'\n", stdin: 'from stdin\n' }));
    assert.equal(o.exitCode, 0, o.stderr.text());
    assert.equal(o.stdout.text(), 'hi there/from stdin\n');
  });

  it('closes stdin immediately when there is nothing to send', async () => {
    const o = await runProcess(spec('cat; echo done', { timeoutMs: 3000 }));
    assert.equal(o.stdout.text(), 'done\n');
    assert.equal(o.timedOut, false);
  });

  it('ignores EPIPE when the process does not read stdin', async () => {
    const o = await runProcess(spec('exit 0', { stdin: 'x'.repeat(1 << 20) }));
    assert.equal(o.exitCode, 0);
  });

  it('passes env and cwd', async () => {
    const o = await runProcess(spec('echo "$ATTUNE_EXEC_ID $(pwd)"', { env: { ...env, ATTUNE_EXEC_ID: '17' }, cwd: '/tmp' }));
    assert.equal(o.stdout.text(), '17 /tmp\n');
  });

  it('reports spawn errors instead of throwing', async () => {
    const o = await runProcess({ ...spec(''), command: '/definitely/not/here' });
    assert.match(o.spawnError ?? '', /ENOENT/);
    assert.equal(o.exitCode, -1);
    const r = buildResult(o, { outputFormat: 'json' });
    assert.equal(r.status, 'failed');
    assert.equal(r.result.succeeded, false);
    assert.match(String(r.result.error), /ENOENT/);
    const bad = await runProcess(spec('echo hi', { cwd: '/definitely/not/here' }));
    assert.ok(bad.spawnError);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    try {
      const pidFile = join(dir, 'pid');
      const o = await runProcess(spec(`sleep 30 & echo $! > ${pidFile}; echo started; wait`, { timeoutMs: 300, killGraceMs: 2000 }));
      assert.equal(o.timedOut, true);
      assert.equal(o.cancelled, false);
      assert.equal(o.exitCode, -1);
      assert.equal(o.signal, 'SIGTERM');
      assert.ok(o.durationMs >= 250 && o.durationMs < 2000, `duration ${o.durationMs}`);
      const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
      assert.ok(grandchild > 0);
      assert.equal(await waitDead(grandchild), true, 'grandchild sleep survived');
      const r = buildResult(o, { outputFormat: 'text', timeoutSeconds: 1 });
      assert.equal(r.status, 'timeout');
      assert.deepEqual(r.result, {
        succeeded: false,
        timed_out: true,
        exit_code: -1,
        error: 'Execution timed out after 1 seconds',
        duration_ms: o.durationMs,
        stdout: 'started\n',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const o = await runProcess(spec('trap "" TERM; echo ready; sleep 30 & wait; wait', { timeoutMs: 200, killGraceMs: 300 }));
    assert.equal(o.timedOut, true);
    assert.equal(o.signal, 'SIGKILL');
    assert.equal(o.exitCode, -1);
    assert.ok(o.durationMs >= 450 && o.durationMs < 3000, `duration ${o.durationMs}`);
  });

  it('cancels via AbortSignal', async () => {
    const ac = new AbortController();
    const started = runProcess(spec('echo working; sleep 30', { signal: ac.signal, killGraceMs: 2000 }));
    setTimeout(() => ac.abort(), 200);
    const o = await started;
    assert.equal(o.cancelled, true);
    assert.equal(o.timedOut, false);
    assert.equal(o.exitCode, -1);
    const r = buildResult(o, { outputFormat: 'text' });
    assert.equal(r.status, 'cancelled');
    assert.equal(r.result.cancelled, true);
    assert.equal(r.result.succeeded, false);
    assert.equal(r.result.error, 'Execution cancelled by user');
    assert.equal(r.result.stdout, 'working\n');
  });

  it('does not start a process when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const o = await runProcess(spec('echo should-not-run', { signal: ac.signal }));
    assert.equal(o.cancelled, true);
    assert.equal(o.stdout.text(), '');
  });

  it('does not hang when a background grandchild keeps the pipes open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runner-'));
    const pidFile = join(dir, 'pid');
    try {
      const o = await runProcess(spec(`sleep 30 & echo $! > ${pidFile}; echo bye`, { pipeDrainMs: 200 }));
      assert.equal(o.exitCode, 0);
      assert.equal(o.stdout.text(), 'bye\n');
      assert.ok(o.durationMs < 2000);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bounds captured output', async () => {
    const o = await runProcess(spec('head -c 5000 /dev/zero | tr "\\0" x; echo; echo oops >&2; exit 1', { maxStdoutBytes: 1128 }));
    assert.equal(o.stdout.truncated, true);
    assert.equal(o.stdout.bytesTruncated, 5001 - 1000);
    const r = buildResult(o, { outputFormat: 'text' });
    assert.equal(r.result.stdout_truncated, true);
    assert.equal(r.result.stdout_bytes_truncated, 4001);
    assert.equal(r.result.stderr_truncated, undefined);
    assert.match(String(r.result.stdout), /\[OUTPUT TRUNCATED: stdout exceeded size limit\]\n$/);
  });
});

describe('buildResult', () => {
  function outcome(stdout: string, stderr: string, exitCode: number, extra: Record<string, unknown> = {}) {
    const so = new BoundedOutput('stdout', 10_000);
    const se = new BoundedOutput('stderr', 10_000);
    so.push(Buffer.from(stdout));
    se.push(Buffer.from(stderr));
    return { exitCode, signal: null, stdout: so, stderr: se, durationMs: 12, timedOut: false, cancelled: false, ...extra };
  }

  it('completed with parsed json data, keeping non-blank stderr', () => {
    assert.deepEqual(buildResult(outcome('log line\n{"x": 1}\n', 'warn\n', 0), { outputFormat: 'json' }), {
      status: 'completed',
      result: { succeeded: true, exit_code: 0, duration_ms: 12, stdout: 'log line\n{"x": 1}\n', stderr: 'warn\n', data: { x: 1 } },
    });
    assert.equal(buildResult(outcome('ok\n', ' \n', 0), { outputFormat: 'text' }).result.stderr, undefined);
  });
  it('completed without stdout or data', () => {
    assert.deepEqual(buildResult(outcome('', '', 0), { outputFormat: 'json' }), {
      status: 'completed',
      result: { succeeded: true, exit_code: 0, duration_ms: 12 },
    });
    assert.deepEqual(buildResult(outcome('hello\n', '', 0), { outputFormat: 'text' }).result, {
      succeeded: true, exit_code: 0, duration_ms: 12, stdout: 'hello\n',
    });
  });
  it('failed uses the stderr rule and exit-code text', () => {
    const many = '1\n2\n3\n4\n5\nFATAL: it broke\n';
    assert.equal(buildResult(outcome('', many, 2), { outputFormat: 'text' }).result.error, 'FATAL: it broke');
    const r = buildResult(outcome('{"x":1}', '  \n', 4), { outputFormat: 'json' });
    assert.equal(r.status, 'failed');
    assert.deepEqual(r.result, { succeeded: false, exit_code: 4, duration_ms: 12, error: 'Command exited with code 4', stdout: '{"x":1}' });
  });
  it('a signal-killed process without timeout/cancel is failed with exit -1', () => {
    const r = buildResult(outcome('', '', -1, { signal: 'SIGKILL' }), { outputFormat: 'text' });
    assert.equal(r.status, 'failed');
    assert.equal(r.result.exit_code, -1);
  });
  it('flags truncation on a completed run too, stream by stream', () => {
    const so = new BoundedOutput('stdout', 128 + 10);
    const se = new BoundedOutput('stderr', 128 + 4);
    so.push(Buffer.from('0123456789abc'));
    se.push(Buffer.from('warn'));
    const r = buildResult({ exitCode: 0, signal: null, stdout: so, stderr: se, durationMs: 5, timedOut: false, cancelled: false }, { outputFormat: 'text' });
    assert.deepEqual(r, {
      status: 'completed',
      result: {
        succeeded: true, exit_code: 0, duration_ms: 5,
        stdout: '0123456789\n\n[OUTPUT TRUNCATED: stdout exceeded size limit]\n', stderr: 'warn',
        stdout_truncated: true, stdout_bytes_truncated: 3,
      },
    });
    se.push(Buffer.from('!'));
    const failed = buildResult({ exitCode: 3, signal: null, stdout: so, stderr: se, durationMs: 5, timedOut: false, cancelled: false }, { outputFormat: 'text' });
    assert.equal(failed.status, 'failed');
    assert.equal(failed.result.stderr_truncated, true);
    assert.equal(failed.result.stderr_bytes_truncated, 1);
    // three lines (the kept text, a blank line, the marker): kept whole as the error, trimmed
    assert.equal(failed.result.error, 'warn\n\n[OUTPUT TRUNCATED: stderr exceeded size limit]');
  });
  it('replaces NUL (which jsonb refuses) with U+FFFD everywhere in the result, parsed data included', () => {
    const r = buildResult(outcome('a\u0000b\n{"k\\u0000": "v\\u0000"}\n', 'e\u0000\n', 0), { outputFormat: 'json' });
    assert.equal(r.result.stdout, 'a\uFFFDb\n{"k\\u0000": "v\\u0000"}\n');
    assert.equal(r.result.stderr, 'e\uFFFD\n');
    assert.deepEqual(r.result.data, { 'k\uFFFD': 'v\uFFFD' });
  });
  it('timeout without timeoutSeconds uses the measured duration', () => {
    const r = buildResult(outcome('', '', -1, { timedOut: true, durationMs: 2040 }), { outputFormat: 'text' });
    assert.equal(r.status, 'timeout');
    assert.equal(r.result.error, 'Execution timed out after 2 seconds');
  });
});
