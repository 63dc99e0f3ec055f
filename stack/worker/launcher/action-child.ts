/**
 * Starting an action process and giving it its input, shared by the launcher and the worker's in-process start.
 * Node built-ins only (and types), so the launcher stays small.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ProcessStart } from './protocol';

/**
 * Spawns the action as the leader of its own process group (so a timeout or cancel can signal the whole group), with
 * pipes for stdin, stdout, stderr and, when there is a prelude, descriptor 3. Throws what spawn throws.
 */
export function spawnActionChild(start: ProcessStart): ChildProcess {
  return spawn(start.command, start.args, {
    cwd: start.cwd,
    env: start.env,
    detached: true,
    stdio: start.descriptor3 === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/**
 * Writes the action process's input and closes it: descriptor 3 (the shell prelude, when there is one) and stdin.
 * A process that exits or never reads its input is not a failure of ours: write errors are ignored.
 */
export function writeChildInput(child: ChildProcess, descriptor3: string | undefined, stdin: string | undefined): void {
  const fd3 = descriptor3 === undefined ? null : (child.stdio[3] as NodeJS.WritableStream | null);
  if (fd3) {
    (fd3 as unknown as { on(e: string, f: () => void): void }).on('error', () => undefined); // the script may exit first
    try {
      fd3.end(descriptor3 ?? '');
    } catch {
      /* ignored, as for stdin */
    }
  }
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // EPIPE when the action never reads stdin
    try {
      if (stdin !== undefined && stdin !== '') child.stdin.end(stdin);
      else child.stdin.end();
    } catch {
      /* ignored: a broken pipe is not our failure */
    }
  }
}
