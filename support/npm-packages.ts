/**
 * Tiny npm packages, built in memory the way `npm pack` lays them out (a gzip tar whose files sit under `package/`),
 * for a pack to ship as `vendor/<name>-<version>.tgz` and depend on with `file:vendor/…` in its package.json, or to
 * ship unpacked in its own `node_modules/<name>/`. Nothing comes from the npm registry.
 *
 * Every package the suite makes has the same small API, whatever its name:
 *   name, version        as built
 *   greet(who)           "Hello, <who>, from <name> <version>"
 *   total(values)        the sum of the numbers
 */
import { packArchive, type PackFiles } from './pack-archive';

export interface NpmPackage {
  name: string;
  version: string;
}

/** The file name `npm pack` gives a package (`@scope/x` → `scope-x-<version>.tgz`). */
export function npmTarballName(pkg: NpmPackage): string {
  return `${pkg.name.replace(/^@/, '').replace(/\//g, '-')}-${pkg.version}.tgz`;
}

/** The package's files, by their path inside the package folder. */
export function npmPackageFiles(pkg: NpmPackage): PackFiles {
  const manifest = { name: pkg.name, version: pkg.version, description: 'made by the Attune acceptance suite', main: 'index.js', license: 'UNLICENSED' };
  const index = [
    "'use strict';",
    `const name = ${JSON.stringify(pkg.name)};`,
    `const version = ${JSON.stringify(pkg.version)};`,
    'module.exports = {',
    '  name,',
    '  version,',
    '  greet: (who) => `Hello, ${who}, from ${name} ${version}`,',
    '  total: (values) => values.reduce((sum, v) => sum + v, 0),',
    '};',
    '',
  ].join('\n');
  return { 'package.json': `${JSON.stringify(manifest, null, 2)}\n`, 'index.js': index };
}

/** The package as `npm pack` output: a .tgz with everything under `package/`. */
export function buildNpmTarball(pkg: NpmPackage): Buffer {
  return packArchive(npmPackageFiles(pkg), 'package');
}
