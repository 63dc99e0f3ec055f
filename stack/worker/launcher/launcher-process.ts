/**
 * The worker's process launcher: a small long-lived Node process, forked by the worker (client.ts), that starts the
 * action processes for it. Forking a process costs time in proportion to the forking process's memory, and Node's
 * spawn blocks its event loop until the child has exec'd; here that happens in a process of a few tens of MB with
 * nothing else to do, instead of in the worker. Node built-ins only (no stack imports), so it stays small.
 *
 * Protocol: protocol.ts. Each action process leads its own process group (detached), exactly as the worker's
 * in-process spawn does, and keeps its own fate when the launcher goes: the launcher exits as soon as its IPC channel
 * to the worker closes (the worker stopped or was killed) and signals nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnActionChild, writeChildInput } from './action-child';
import type { FromLauncher, SpawnMessage, StdFd, ToLauncher } from './protocol';

interface Run {
  child: ChildProcess;
  forwarded: [number, number];
  skipped: [number, number];
  flushQueued: boolean;
}

const runs = new Map<number, Run>();

function send(msg: FromLauncher): void {
  if (!process.connected) return;
  try {
    process.send!(msg, undefined, undefined, () => undefined); // a callback: a closed channel is not an 'error' event
  } catch {
    /* the channel closed: 'disconnect' ends us */
  }
}

function flushSkipped(id: number, run: Run): void {
  run.flushQueued = false;
  for (const i of [0, 1] as const) {
    if (run.skipped[i] > 0) {
      send({ type: 'skipped', id, fd: (i + 1) as StdFd, bytes: run.skipped[i] });
      run.skipped[i] = 0;
    }
  }
}

function start(msg: SpawnMessage): void {
  const { id } = msg;
  let child: ChildProcess;
  try {
    child = spawnActionChild(msg);
  } catch (err) {
    send({ type: 'error', id, message: (err as Error).message });
    return;
  }
  const run: Run = { child, forwarded: [0, 0], skipped: [0, 0], flushQueued: false };
  runs.set(id, run);

  child.on('error', (err: NodeJS.ErrnoException) => {
    // Spawn failures (ENOENT, EACCES, bad cwd) arrive here without a pid; later errors (a failed kill) do not matter.
    if (child.pid === undefined) send({ type: 'error', id, message: err.message });
  });

  const forward = (fd: StdFd) => (chunk: Buffer) => {
    const i = fd - 1;
    if (run.forwarded[i] <= msg.forward[i]) {
      run.forwarded[i] += chunk.length;
      if (run.flushQueued) flushSkipped(id, run); // keep the order of what was read
      send({ type: 'data', id, fd, chunk });
      return;
    }
    run.skipped[i] += chunk.length;
    if (!run.flushQueued) {
      run.flushQueued = true;
      setImmediate(() => run.flushQueued && flushSkipped(id, run));
    }
  };
  child.stdout?.on('data', forward(1));
  child.stderr?.on('data', forward(2));
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('error', () => undefined);

  child.on('exit', (code, signal) => send({ type: 'exit', id, code, signal }));
  child.on('close', (code, signal) => {
    runs.delete(id);
    flushSkipped(id, run);
    send({ type: 'close', id, code, signal });
  });

  if (child.pid !== undefined) send({ type: 'spawned', id, pid: child.pid });

  writeChildInput(child, msg.descriptor3, msg.stdin);
}

process.on('message', (msg: ToLauncher) => {
  try {
    if (msg.type === 'spawn') start(msg);
    else if (msg.type === 'destroy-pipes') {
      const run = runs.get(msg.id);
      run?.child.stdout?.destroy();
      run?.child.stderr?.destroy();
    }
  } catch (err) {
    if (msg.type === 'spawn' && !runs.has(msg.id)) send({ type: 'error', id: msg.id, message: (err as Error).message });
  }
});
// The worker is gone (stopped or killed): so are we. The action processes keep their own fate (detached).
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (err) => {
  process.stderr.write(`process launcher: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
send({ type: 'ready', pid: process.pid });
