/**
 * Inline shell actions (the entrypoint text is the script): the worker writes the script to a temp file and gives it
 * a prelude that defines each top-level parameter (secrets included) as a shell variable `<name>` and `PARAM_<NAME>`.
 * The variables are NOT exported, so they never reach the environment of the script's children (`printenv` does not
 * show them). Stdin still carries the whole parameter document.
 *
 * The prelude never touches the disk: the script file starts with a line that reads it from file descriptor 3, a socket
 * the worker writes the assignments into and closes (then the script closes its end, so no child inherits it). The
 * file holds only that line and the action's own text, so no parameter or secret value is ever written in clear.
 */
import { fault } from '../common/faults';
import { stringifyExact } from '../common/exact-json';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Shell variables that must keep their meaning inside the script. */
const RESERVED = new Set([
  'PATH', 'HOME', 'IFS', 'PWD', 'OLDPWD', 'SHELL', 'USER', 'LOGNAME', 'UID', 'EUID', 'PPID', 'PS1', 'PS2', 'PS4',
  'BASH', 'BASH_ENV', 'BASHOPTS', 'SHELLOPTS', 'ENV', 'CDPATH', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'HOSTNAME',
  'RANDOM', 'SECONDS', 'LINENO', 'OPTIND', 'OPTARG', 'FUNCNAME', 'GROUPS', 'HISTFILE', 'REPLY', 'PIPESTATUS',
]);

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function shellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return stringifyExact(v);
}

function usableName(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name) && !name.startsWith('BASH_') && !name.startsWith('ATTUNE_');
}

export function shellParameterPrelude(params: Record<string, unknown>): string {
  const lines: string[] = [];
  // fault shell-prelude-exports-input: the variables are exported, so every child process of the script inherits them
  const assign = fault('shell-prelude-exports-input') ? 'export ' : '';
  for (const [name, value] of Object.entries(params)) {
    if (!IDENTIFIER.test(name)) continue;
    const quoted = shellQuote(shellText(value));
    if (usableName(name)) lines.push(`${assign}${name}=${quoted}`);
    lines.push(`${assign}PARAM_${name.toUpperCase()}=${quoted}`);
  }
  // fault shell-prelude-traced: the prelude runs under `set -x`, so bash writes every assignment, values included, to stderr
  if (lines.length && fault('shell-prelude-traced')) return `set -x\n${lines.join('\n')}\n{ set +x; } 2>/dev/null\n`;
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The line that loads the prelude from descriptor 3 and closes it. Descriptor 3 is a socket (what Node gives a child
 * for an extra stdio pipe), which `/dev/fd/3` cannot open: it is read with `cat <&3`, POSIX, so bash and busybox sh
 * both take it.
 */
export const PRELUDE_LOADER = 'eval "$(cat <&3)"; exec 3<&-\n';

export interface InlineShell {
  /** what is written to the script file: the loader (when there is a prelude) and the action's text */
  script: string;
  /** what the worker writes to the script's descriptor 3 (undefined: no parameters, no descriptor 3) */
  prelude?: string;
}

export function inlineShellScript(entrypoint: string, params: Record<string, unknown>): InlineShell {
  const body = entrypoint.endsWith('\n') ? entrypoint : `${entrypoint}\n`;
  const prelude = shellParameterPrelude(params);
  if (!prelude) return { script: body };
  // fault shell-prelude-on-disk: the assignments, values included, are written into the script file itself
  if (fault('shell-prelude-on-disk')) return { script: `${prelude}${body}` };
  return { script: `${PRELUDE_LOADER}${body}`, prelude };
}
