/**
 * The messages between the worker and its process launcher (launcher-process.ts), over the launcher's IPC channel
 * with `serialization: 'advanced'` (Buffers pass as they are). Types only: the launcher imports nothing of the stack.
 *
 * worker → launcher
 *   spawn {id, command, args, cwd, env, stdin, descriptor3, forward}   start one action process (detached: its own
 *         process group); `forward` = [stdout, stderr]: bytes of each stream sent as `data` before the rest is
 *         only counted (`skipped`); Infinity forwards every byte
 *   destroy-pipes {id}                                                  the process has exited but a grandchild still
 *         holds its pipes: close our ends (the launcher then answers `close`)
 * launcher → worker
 *   ready {pid}                          once, when it listens
 *   spawned {id, pid}                    the process started
 *   error {id, message}                  it could not start (ENOENT, EACCES, bad cwd, bad arguments): no pid
 *   data {id, fd, chunk}                 output of stdout (fd 1) or stderr (fd 2)
 *   skipped {id, fd, bytes}              output read past `forward` and not sent
 *   exit {id, code, signal}              the process exited (its pipes may still be open)
 *   close {id, code, signal}             its pipes are closed too: the last message of this id
 * Signals are not part of the protocol: the worker signals the process group itself (process.kill(-pid, sig)).
 */
export type StdFd = 1 | 2;

/** What starting one action process takes (the worker's ProcessSpec has these and its own limits). */
export interface ProcessStart {
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  stdin?: string;
  /** written to the child's file descriptor 3 (a pipe, then closed); no descriptor 3 when undefined */
  descriptor3?: string;
}

export interface SpawnMessage extends ProcessStart {
  type: 'spawn';
  id: number;
  forward: [number, number];
}

export interface DestroyPipesMessage {
  type: 'destroy-pipes';
  id: number;
}

export type ToLauncher = SpawnMessage | DestroyPipesMessage;

export type FromLauncher =
  | { type: 'ready'; pid: number }
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'data'; id: number; fd: StdFd; chunk: Uint8Array }
  | { type: 'skipped'; id: number; fd: StdFd; bytes: number }
  | { type: 'exit'; id: number; code: number | null; signal: string | null }
  | { type: 'close'; id: number; code: number | null; signal: string | null };
