/**
 * The one line of a failed build's output that says what went wrong: pip's last `ERROR:` line, npm's last
 * `npm error` line that carries a message (not the code/path/log-file lines around it), else the last non-blank line.
 */

const NPM_PREFIX = /^npm (?:error|ERR!)\s?/;

/** npm lines that never say what failed by themselves. */
const NPM_NOISE = [
  /complete log of this run/i,
  /^(?:code|errno|syscall|path|signal|command|cwd|workspace|location)\b/,
  /^(?:enoent|eexist|eacces)?\s*$/i,
  /This is related to npm not being able to find a file/i,
  /^(?:Log files were not written|You can rerun the command)/i,
];

export function meaningfulErrorLine(output: string): string | null {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.replace(/\u001b\[[0-9;]*m/g, '').trimEnd())
    .filter((l) => l.trim() !== '');
  const pip = lines.filter((l) => /^ERROR: /.test(l.trim()));
  if (pip.length) return pip[pip.length - 1].trim();
  const npm = lines.filter((l) => NPM_PREFIX.test(l));
  for (let i = npm.length - 1; i >= 0; i--) {
    const body = npm[i].replace(NPM_PREFIX, '').trim();
    if (!NPM_NOISE.some((re) => re.test(body))) return npm[i].trim();
  }
  if (npm.length) return npm[npm.length - 1].trim();
  const anyError = lines.filter((l) => /error/i.test(l));
  if (anyError.length) return anyError[anyError.length - 1].trim();
  return lines.length ? lines[lines.length - 1].trim() : null;
}
