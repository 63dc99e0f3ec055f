/**
 * Build commands name interpreters by their bare name (`python3`). On a machine where that name is a version
 * manager's shim (pyenv), every call pays the shim's start-up, and the shim re-hashes after each `pip install`,
 * which fails ("cannot rehash") when two builds run at once. So a bare python name is resolved once, to the
 * executable it really starts (`sys.executable`), and build commands run that directly.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const resolved = new Map<string, string>();

const PYTHON_NAME = /^python(\d+(\.\d+)?)?$/;

/** The executable a bare python name starts; the name itself when it is a path, not python, or cannot be run. */
export function hostExecutable(name: string): string {
  if (!PYTHON_NAME.test(name) || name.includes(path.sep)) return name;
  const known = resolved.get(name);
  if (known) return known;
  let exe = name;
  try {
    const r = spawnSync(name, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000 });
    const out = r.status === 0 ? r.stdout.trim() : '';
    if (out && path.isAbsolute(out)) exe = out;
  } catch {
    /* keep the name: the build command then reports why it cannot start */
  }
  resolved.set(name, exe);
  return exe;
}

/** argv with its program resolved by hostExecutable. */
export function withHostExecutable(argv: string[]): string[] {
  return argv.length ? [hostExecutable(argv[0]), ...argv.slice(1)] : argv;
}
