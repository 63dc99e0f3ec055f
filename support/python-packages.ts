/**
 * Tiny pure-Python packages, built in memory as wheels a pack ships (`wheels/<file>.whl`) so its requirements.txt can
 * install them with `--no-index --find-links wheels`: nothing comes from a package index, so a scenario runs the same
 * against any target, online or not.
 *
 * Every package the suite makes has the same small API, whatever its name (import name = the name with `-` → `_`):
 *   __version__          the version it was built as ("1.0.0")
 *   greet(who)           "Hello, <who>, from <name> <version>"
 *   total(values)        the sum of the numbers
 *
 * A wheel is a zip (PEP 427): the module, then `<name>-<version>.dist-info/` with METADATA, WHEEL and RECORD (each
 * file's sha256 in unpadded url-safe base64, and its size). Entries carry a fixed time, so the same package always
 * gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';

export interface PythonPackage {
  /** distribution name as requirements.txt writes it, e.g. `e2e-greeting` */
  name: string;
  version: string;
}

const FIXED_TIME = new Date('2024-01-01T00:00:00Z');

/** `e2e-greeting` → `e2e_greeting` (the wheel file name and the import name). */
export function pythonImportName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

export function wheelFileName(pkg: PythonPackage): string {
  return `${pythonImportName(pkg.name)}-${pkg.version}-py3-none-any.whl`;
}

function moduleSource(pkg: PythonPackage): string {
  return [
    `"""${pkg.name} ${pkg.version}: a package made by the Attune acceptance suite."""`,
    '',
    `__version__ = ${JSON.stringify(pkg.version)}`,
    '',
    '',
    'def greet(who):',
    `    return "Hello, %s, from ${pkg.name} %s" % (who, __version__)`,
    '',
    '',
    'def total(values):',
    '    return sum(values)',
    '',
  ].join('\n');
}

function recordHash(data: Uint8Array): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** The wheel's bytes. */
export function buildWheel(pkg: PythonPackage): Buffer {
  const importName = pythonImportName(pkg.name);
  const distInfo = `${importName}-${pkg.version}.dist-info`;
  const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
  const files: Array<[string, Uint8Array]> = [
    [`${importName}/__init__.py`, text(moduleSource(pkg))],
    [`${distInfo}/METADATA`, text(`Metadata-Version: 2.1\nName: ${pkg.name}\nVersion: ${pkg.version}\nSummary: made by the Attune acceptance suite\n`)],
    [`${distInfo}/WHEEL`, text('Wheel-Version: 1.0\nGenerator: attune-acceptance\nRoot-Is-Purelib: true\nTag: py3-none-any\n')],
  ];
  const record = [...files.map(([name, data]) => `${name},${recordHash(data)},${data.length}`), `${distInfo}/RECORD,,`, ''].join('\n');
  files.push([`${distInfo}/RECORD`, text(record)]);
  const zippable: Zippable = {};
  for (const [name, data] of files) zippable[name] = [data, { mtime: FIXED_TIME }];
  return Buffer.from(zipSync(zippable, { level: 6 }));
}

/**
 * A requirements.txt that installs only from the pack's own `wheels/` folder (pip reads `--find-links` relative to
 * the requirements file), then one requirement per line.
 */
export function offlineRequirements(requirements: readonly string[]): string {
  return ['--no-index', '--find-links wheels', ...requirements, ''].join('\n');
}
