import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LauncherClient, type LaunchEvents, type LaunchRequest } from '../../stack/worker/launcher/client';
import { runProcess, type ProcessSpec } from '../../stack/worker/process-runner';

// SHLVL keeps bash from sourcing ~/.bashrc when its stdin is a socket (node's pipes are socketpairs).
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SHLVL: '1', LANG: 'C' };

interface Seen {
  pid?: number;
  error?: string;
  unavailable?: string;
  out: Buffer[];
  err: Buffer[];
  skipped: [number, number];
  exit?: { code: number | null; signal: string | null };
  close?: { code: number | null; signal: string | null };
  order: string[];
}

/** Launches one process and resolves when its last event (close, error or unavailable) has arrived. */
function launch(client: LauncherClient, req: Partial<LaunchRequest> & { script?: string }, onSpawned?: (pid: number) => void): { done: Promise<Seen>; handle: ReturnType<LauncherClient['launch']> } {
  const seen: Seen = { out: [], err: [], skipped: [0, 0], order: [] };
  let resolve!: (s: Seen) => void;
  const done = new Promise<Seen>((r) => (resolve = r));
  const events: LaunchEvents = {
    spawned: (pid) => {
      seen.pid = pid;
      seen.order.push('spawned');
      onSpawned?.(pid);
    },
    error: (message) => {
      seen.error = message;
      seen.order.push('error');
      resolve(seen);
    },
    unavailable: (message) => {
      seen.unavailable = message;
      seen.order.push('unavailable');
      resolve(seen);
    },
    data: (fd, chunk) => (fd === 1 ? seen.out : seen.err).push(chunk),
    skipped: (fd, bytes) => (seen.skipped[fd - 1] += bytes),
    exit: (code, signal) => {
      seen.exit = { code, signal };
      seen.order.push('exit');
    },
    close: (code, signal) => {
      seen.close = { code, signal };
      seen.order.push('close');
      resolve(seen);
    },
  };
  const { script, ...rest } = req;
  const handle = client.launch({ command: 'bash', args: ['-c', script ?? 'true'], env, ...rest }, events);
  return { done, handle };
}

const text = (bufs: Buffer[]): string => Buffer.concat(bufs).toString('utf8');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: pid (comm) state ppid …
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
}

describe('the process launcher', () => {
  const client = new LauncherClient();
  after(() => client.close());

  it('starts a process in its own process group, forked by the launcher, and reports output and exit code', async () => {
    let group = -1;
    let parent = -1;
    const { done } = launch(client, { script: 'echo out; echo err >&2; sleep 0.1; exit 3' }, (pid) => {
      group = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2]);
      parent = parentOf(pid);
    });
    const s = await done;
    assert.ok(s.pid && s.pid > 0);
    assert.equal(group, s.pid, 'the process leads its own group (detached)');
    assert.equal(parent, client.pid, 'the launcher is its parent, not this process');
    assert.notEqual(client.pid, process.pid);
    assert.equal(text(s.out), 'out\n');
    assert.equal(text(s.err), 'err\n');
    assert.deepEqual(s.exit, { code: 3, signal: null });
    assert.deepEqual(s.close, { code: 3, signal: null });
    assert.deepEqual(s.order, ['spawned', 'exit', 'close']);
  });

  it('passes env, cwd, stdin and descriptor 3', async () => {
    const { done } = launch(client, {
      script: 'eval "$(cat <&3)"; exec 3<&-; read -r line; echo "$greeting/$line/$X/$(pwd)"',
      env: { ...env, X: 'x1' },
      cwd: '/tmp',
      descriptor3: "greeting='hi there'\n",
      stdin: 'from stdin\n',
    });
    const s = await done;
    assert.equal(text(s.err), '');
    assert.equal(text(s.out), 'hi there/from stdin/x1//tmp\n');
    assert.equal(s.exit?.code, 0);
  });

  it('passes binary output through as bytes', async () => {
    const { done } = launch(client, { script: 'printf "\\x00\\xff\\xfe"' });
    const s = await done;
    assert.deepEqual([...Buffer.concat(s.out)], [0, 0xff, 0xfe]);
  });

  it('forwards output up to the given bytes and only counts the rest', async () => {
    const { done } = launch(client, { script: 'head -c 300000 /dev/zero; head -c 10 /dev/zero >&2', forward: [1000, 1 << 20] });
    const s = await done;
    const sent = Buffer.concat(s.out).length;
    assert.ok(sent > 1000 && sent < 300000, `forwarded ${sent}`);
    assert.equal(sent + s.skipped[0], 300000);
    assert.equal(Buffer.concat(s.err).length, 10);
    assert.equal(s.skipped[1], 0);
  });

  it('reports a process that cannot start (ENOENT, bad cwd) as error without a pid', async () => {
    const a = await launch(client, { command: '/definitely/not/here', args: [] }).done;
    assert.match(a.error ?? '', /ENOENT/);
    assert.equal(a.pid, undefined);
    const b = await launch(client, { cwd: '/definitely/not/here' }).done;
    assert.ok(b.error);
    assert.equal(b.pid, undefined);
    // a request the launcher's spawn refuses at once (a NUL in an argument) is an error too
    const c = await launch(client, { args: ['-c', 'echo \u0000'] }).done;
    assert.ok(c.error);
  });

  it('lets the caller signal the process group by pid', async () => {
    const { done } = launch(client, { script: 'sleep 30 & wait' }, (pid) => setTimeout(() => process.kill(-pid, 'SIGTERM'), 100));
    const s = await done;
    assert.deepEqual(s.exit, { code: null, signal: 'SIGTERM' });
  });

  it('closes the pipes on request when a grandchild holds them open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
    const pidFile = join(dir, 'pid');
    try {
      let exited = false;
      const { done, handle } = launch(client, { script: `sleep 30 & echo $! > ${pidFile}; echo bye` });
      const t0 = Date.now();
      const watch = setInterval(() => {
        if (!exited && Date.now() - t0 > 300) {
          exited = true;
          handle.destroyPipes();
        }
      }, 50);
      const s = await done;
      clearInterval(watch);
      assert.equal(text(s.out), 'bye\n');
      assert.equal(s.exit?.code, 0);
      assert.ok(Date.now() - t0 < 3000);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        /* gone */
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs many processes at once', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => launch(client, { script: `echo ${i}` }).done));
    assert.deepEqual(all.map((s) => text(s.out)), Array.from({ length: 20 }, (_, i) => `${i}\n`));
    assert.equal(client.inFlight, 0);
  });

  it('when the launcher dies: a running process is killed and ends with SIGKILL, the next launcher takes new work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
    const pidFile = join(dir, 'pid');
    try {
      const first = client.pid!;
      const starts = client.starts;
      let running = -1;
      const { done } = launch(client, { script: `sleep 30 & echo $! > ${pidFile}; echo started; wait` }, (pid) => (running = pid));
      assert.equal(await until(() => running > 0 && alive(running)), true);
      await until(() => {
        try {
          return readFileSync(pidFile, 'utf8').trim() !== '';
        } catch {
          return false;
        }
      });
      const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
      process.kill(first, 'SIGKILL');
      const s = await done;
      assert.deepEqual(s.exit, { code: null, signal: 'SIGKILL' });
      assert.deepEqual(s.close, { code: null, signal: 'SIGKILL' });
      assert.equal(await until(() => !alive(running) && !alive(grandchild)), true, 'the lost run was killed, group included');
      const next = await launch(client, { script: 'echo again' }).done;
      assert.equal(text(next.out), 'again\n');
      assert.equal(client.starts, starts + 1);
      assert.notEqual(client.pid, first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('queues requests made while the launcher (re)starts', async () => {
    const fresh = new LauncherClient();
    try {
      const all = await Promise.all([1, 2, 3].map((i) => launch(fresh, { script: `echo q${i}` }).done));
      assert.deepEqual(all.map((s) => text(s.out)), ['q1\n', 'q2\n', 'q3\n']);
      const pid = fresh.pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => fresh.pid !== pid);
      const again = await Promise.all([4, 5].map((i) => launch(fresh, { script: `echo q${i}` }).done));
      assert.deepEqual(again.map((s) => text(s.out)), ['q4\n', 'q5\n']);
    } finally {
      fresh.close();
    }
  });

  it('a request still queued can be withdrawn: nothing starts', async () => {
    const fresh = new LauncherClient();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
      const marker = join(dir, 'ran');
      const { handle } = launch(fresh, { script: `touch ${marker}` });
      assert.equal(handle.withdraw(), true);
      assert.equal(fresh.inFlight, 0);
      await launch(fresh, { script: 'true' }).done; // the launcher is up and has had the chance
      assert.throws(() => readFileSync(marker));
      rmSync(dir, { recursive: true, force: true });
    } finally {
      fresh.close();
    }
  });

  it('a launcher that cannot start answers unavailable (the caller starts the process itself)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'launcher-'));
    const entry = join(dir, 'broken.js');
    writeFileSync(entry, 'process.exit(3);\n');
    const broken = new LauncherClient({ entry, execArgv: [] });
    try {
      const s = await launch(broken, { script: 'echo never' }).done;
      assert.match(s.unavailable ?? '', /exited before it was ready/);
      const t0 = Date.now();
      const again = await launch(broken, { script: 'echo never' }).done;
      assert.ok(again.unavailable);
      assert.ok(Date.now() - t0 < 100, 'no second start within the retry delay');
    } finally {
      broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits when its worker is killed, leaving the action processes running (detached)', async () => {
    // a stand-in worker: starts a launcher, launches `sleep 5`, prints both pids, and is then SIGKILLed
    const script = `
      const { LauncherClient } = require(${JSON.stringify(join(__dirname, '../../stack/worker/launcher/client'))});
      const c = new LauncherClient();
      const events = { spawned: (pid) => console.log(JSON.stringify({ launcher: c.pid, action: pid })),
        error() {}, unavailable() {}, data() {}, skipped() {}, exit() {}, close() {} };
      c.launch({ command: 'sleep', args: ['5'], env: {} }, events);
      setInterval(() => {}, 1000);`;
    const worker = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    worker.stdout.on('data', (c: Buffer) => (out += c.toString()));
    assert.equal(await until(() => out.includes('\n'), 10_000), true, 'the stand-in worker reported its launch');
    const { launcher, action } = JSON.parse(out.trim()) as { launcher: number; action: number };
    try {
      assert.equal(alive(launcher) && alive(action), true);
      worker.kill('SIGKILL');
      assert.equal(await until(() => !alive(launcher)), true, 'the launcher exited with its worker');
      assert.equal(alive(action), true, 'the action process keeps running');
    } finally {
      try {
        process.kill(-action, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
});

describe('runProcess through the launcher', () => {
  function spec(script: string, extra: Partial<ProcessSpec> = {}): ProcessSpec {
    return { command: 'bash', args: ['-c', script], env, maxStdoutBytes: 1 << 20, maxStderrBytes: 1 << 20, ...extra };
  }

  it('is started by the launcher, not by this process', async () => {
    const o = await runProcess(spec('echo $PPID'));
    assert.equal(o.exitCode, 0);
    assert.notEqual(Number(o.stdout.text().trim()), process.pid);
  });

  it('keeps the output bounds when the launcher forwards only up to the limit', async () => {
    const o = await runProcess(spec('head -c 500000 /dev/zero | tr "\\0" y; exit 1', { maxStdoutBytes: 2048 }));
    assert.equal(o.stdout.truncated, true);
    assert.equal(o.stdout.bytesKept, 2048 - 128);
    assert.equal(o.stdout.bytesTruncated, 500000 - (2048 - 128));
    assert.equal(o.exitCode, 1);
  });

  it('cancels via AbortSignal: SIGTERM to the group, then the outcome says cancelled', async () => {
    const ac = new AbortController();
    const started = runProcess(spec('echo working; sleep 30', { signal: ac.signal, killGraceMs: 2000 }));
    setTimeout(() => ac.abort(), 200);
    const o = await started;
    assert.equal(o.cancelled, true);
    assert.equal(o.signal, 'SIGTERM');
    assert.equal(o.stdout.text(), 'working\n');
  });

  it('reports a spawn failure as spawnError', async () => {
    const o = await runProcess({ ...spec(''), command: '/definitely/not/here' });
    assert.match(o.spawnError ?? '', /ENOENT/);
    assert.equal(o.exitCode, -1);
  });

  it('times out a process whose pid is not yet known when the timer fires', async () => {
    // the timeout fires at 1 ms, long before the launcher's `spawned` answer: the kill waits for the pid
    const o = await runProcess(spec('sleep 30', { timeoutMs: 1, killGraceMs: 500 }));
    assert.equal(o.timedOut, true);
    assert.equal(o.exitCode, -1);
    assert.ok(o.durationMs < 3000, `duration ${o.durationMs}`);
  });
});
