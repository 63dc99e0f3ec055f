/**
 * Runs one build command of an environment (venv creation, pip / npm install): no shell, its own process group,
 * output kept (bounded) for the error report, killed when it outlives its time. Never rejects.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface CommandOutcome {
  /** exit code; -1 when it was killed, timed out, or could not start */
  code: number;
  output: string;
  ms: number;
  timedOut: boolean;
  spawnError?: string;
}

/** Output beyond this is dropped from the middle (the start names the command, the end holds the error). */
const KEEP_HEAD = 16 * 1024;
const KEEP_TAIL = 48 * 1024;

class KeptOutput {
  private head = '';
  private tail = '';
  private dropped = 0;

  add(text: string): void {
    if (this.head.length < KEEP_HEAD) {
      const room = KEEP_HEAD - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    this.tail += text;
    if (this.tail.length > KEEP_TAIL) {
      this.dropped += this.tail.length - KEEP_TAIL;
      this.tail = this.tail.slice(-KEEP_TAIL);
    }
  }

  text(): string {
    return this.dropped ? `${this.head}\n[… ${this.dropped} characters …]\n${this.tail}` : this.head + this.tail;
  }
}

export function runBuildCommand(argv: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<CommandOutcome> {
  const start = performance.now();
  const elapsed = (): number => Math.round(performance.now() - start);
  return new Promise((resolve) => {
    const kept = new KeptOutput();
    let timedOut = false;
    let done = false;
    const finish = (o: Omit<CommandOutcome, 'output' | 'ms'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, output: kept.text(), ms: elapsed() });
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: -1, output: '', ms: elapsed(), timedOut: false, spawnError: (err as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (s: string) => kept.add(s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => kept.add(s));
    child.on('error', (err) => finish({ code: -1, timedOut, spawnError: err.message }));
    child.on('close', (code) => finish({ code: code ?? -1, timedOut }));
  });
}
