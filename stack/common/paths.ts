import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project root: the nearest ancestor holding a package.json with "workspaces". */
function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).workspaces) return dir;
      } catch {
        /* keep walking */
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const projectRoot = process.env.ATTUNE_PROJECT_ROOT ?? findProjectRoot(__dirname);

/** The stack's source folder (holds migrations/ and packs/), found from dist/ or from the sources. */
export const stackRoot = path.join(projectRoot, 'stack');

export function fromRoot(p: string): string {
  return path.isAbsolute(p) ? p : path.join(projectRoot, p);
}
