/**
 * Pack folders under `<packs_base_dir>` (where workers find action scripts):
 * scratch folders for uploads, per-file atomic copies (a worker running a script never sees a
 * missing or half-written file), and removal of the folders we made.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { config } from '../common/config';
import { fromRoot } from '../common/paths';

/**
 * Folders inside a pack that may belong to its run-time environment: never pruned when the new files lack them.
 * When the new files hold one (a pack shipping its own node_modules), it is copied like any other folder.
 */
const KEPT_TOP_LEVEL = new Set(['.venv', 'node_modules']);

export function packsBaseDir(): string {
  return fromRoot(config().packs_base_dir);
}

/** `<packs_base_dir>/<ref>` (the ref is a validated pack ref: no dots, no slashes). */
export function packDirFor(ref: string): string {
  return path.join(packsBaseDir(), ref);
}

export function ensureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
}

/** A fresh empty folder inside packs_base_dir (same file system as the pack folders). */
export function makeScratchDir(label: string): string {
  const base = packsBaseDir();
  ensureDir(base);
  return fs.mkdtempSync(path.join(base, `.${label}-`));
}

export function removeDirQuietly(dir: string | null | undefined): void {
  if (!dir) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

/** True when `child` is `parent` or lies below it (after resolving symlinks where possible). */
export function isInside(parent: string, child: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(parent), real(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function samePath(a: string, b: string): boolean {
  return isInside(a, b) && isInside(b, a);
}

function sameFile(src: string, dest: string, srcStat: fs.Stats): boolean {
  try {
    const st = fs.statSync(dest);
    if (!st.isFile() || st.size !== srcStat.size || (st.mode & 0o7777) !== (srcStat.mode & 0o7777)) return false;
    return fs.readFileSync(src).equals(fs.readFileSync(dest));
  } catch {
    return false;
  }
}

/**
 * Makes `dest` hold exactly the files of `src` (modes kept). Each changed file is written to a
 * temporary name and renamed into place; files no longer in `src` are removed. Symbolic links in
 * `src` are not followed or copied. Returns the number of files written or removed.
 */
export function syncDir(src: string, dest: string, depth = 0): number {
  let changes = 0;
  const srcMode = fs.statSync(src).mode & 0o7777;
  if (!fs.existsSync(dest)) fs.mkdirSync(dest, { recursive: true, mode: srcMode });
  else if (!fs.statSync(dest).isDirectory()) {
    fs.rmSync(dest, { force: true });
    fs.mkdirSync(dest, { mode: srcMode });
  }
  const wanted = new Set<string>();
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, entry.name);
    const d = path.join(dest, entry.name);
    if (entry.isDirectory()) {
      wanted.add(entry.name);
      changes += syncDir(s, d, depth + 1);
    } else if (entry.isFile()) {
      wanted.add(entry.name);
      const st = fs.statSync(s);
      if (sameFile(s, d, st)) continue;
      if (fs.existsSync(d) && fs.lstatSync(d).isDirectory()) fs.rmSync(d, { recursive: true, force: true });
      const tmp = path.join(dest, `.${entry.name}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
      fs.copyFileSync(s, tmp);
      fs.chmodSync(tmp, st.mode & 0o7777);
      fs.renameSync(tmp, d);
      changes += 1;
    }
  }
  for (const entry of fs.readdirSync(dest, { withFileTypes: true })) {
    if (wanted.has(entry.name) || (depth === 0 && KEPT_TOP_LEVEL.has(entry.name))) continue;
    fs.rmSync(path.join(dest, entry.name), { recursive: true, force: true });
    changes += 1;
  }
  fs.chmodSync(dest, srcMode);
  return changes;
}
