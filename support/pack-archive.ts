/**
 * Pack archives for `POST /api/v1/packs/upload`, built in memory: a gzip-compressed tar of files given by their path
 * inside the archive. The one builder for every pack the suite uploads: the persona fixture (read from its folder
 * with `readPackFolder`) and the packs scenarios write themselves (support/tasks/packs.ts).
 *
 * Entries are plain files (the target creates folders as it extracts); a file whose text starts with `#!` is
 * executable (0755), every other one 0644. Owner, group and time are fixed, so the same files give the same archive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

/** Archive path (posix, relative) → content. */
export type PackFiles = Record<string, string | Buffer>;

const BLOCK = 512;
const FIXED_TIME = new Date('2024-01-01T00:00:00Z');

function entryHeader(name: string, size: number, executable: boolean): Buffer {
  const header = new Header({
    path: name,
    type: 'File',
    mode: executable ? 0o755 : 0o644,
    size,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: FIXED_TIME,
  });
  const block = Buffer.alloc(BLOCK);
  if (header.encode(block, 0)) throw new Error(`pack archive: the path "${name}" is too long for a plain tar header`);
  return block;
}

function checkedName(name: string): string {
  const normal = path.posix.normalize(name.replace(/\\/g, '/'));
  if (normal.startsWith('/') || normal === '..' || normal.startsWith('../') || normal === '.' || normal.endsWith('/')) {
    throw new Error(`pack archive: "${name}" is not a relative file path inside the pack`);
  }
  return normal;
}

/** The files as a .tar.gz, in path order; `root` (e.g. the pack ref) puts them all inside that one top-level folder. */
export function packArchive(files: PackFiles, root?: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(files).sort()) {
    const content = files[name];
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const entry = root ? `${root}/${checkedName(name)}` : checkedName(name);
    parts.push(entryHeader(entry, data.length, data.subarray(0, 2).toString('latin1') === '#!'));
    parts.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK)); // end of archive
  return gzipSync(Buffer.concat(parts));
}

/** Every file below `dir` (sub-folders included), keyed by its posix path relative to `dir`. */
export function readPackFolder(dir: string): PackFiles {
  const files: PackFiles = {};
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files[child] = fs.readFileSync(path.join(dir, child));
    }
  };
  walk('');
  return files;
}
