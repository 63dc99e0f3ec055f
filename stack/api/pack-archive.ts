/**
 * Uploaded pack archives (.tar.gz): checked entry by entry before anything touches the disk, then
 * extracted into a scratch folder. Refused (400): absolute paths, `..` segments, links, devices,
 * too many entries or too many bytes, and archives whose pack.yaml is neither at the root nor
 * inside exactly one top-level folder.
 */
import * as path from 'node:path';
import { extract, list } from 'tar';
import { badRequest } from './http';

export const MAX_ARCHIVE_ENTRIES = 10_000;
export const MAX_ARCHIVE_UNPACKED_BYTES = 512 * 1024 * 1024;

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

export interface ArchiveEntryInfo {
  path: string;
  type: string;
  size?: number;
}

/** `./a//b/` → `a/b` (posix). */
export function normalizeEntryPath(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '').replace(/\/$/, '');
}

/** Why an archive entry is unsafe, or null when it may be extracted. */
export function archiveEntryProblem(entry: ArchiveEntryInfo): string | null {
  const raw = entry.path;
  if (raw.includes('\0')) return `entry name contains a NUL byte`;
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:/.test(raw)) return `absolute path '${raw}'`;
  const segments = raw.replace(/\\/g, '/').split('/');
  if (segments.includes('..')) return `path '${raw}' leaves the archive folder ('..')`;
  if (!ALLOWED_TYPES.has(entry.type)) return `entry '${raw}' has unsupported type ${entry.type} (only files and folders are allowed)`;
  return null;
}

/**
 * Where pack.yaml sits: '' when at the archive root, 'folder' when inside exactly one top-level
 * folder, null when neither. macOS resource forks (__MACOSX, ._*) are ignored.
 */
export function findPackRoot(entryPaths: string[]): string | null {
  const paths = entryPaths
    .map(normalizeEntryPath)
    .filter((p) => p !== '' && p !== '.' && !p.startsWith('__MACOSX') && !path.posix.basename(p).startsWith('._'));
  const has = (p: string) => paths.includes(p);
  if (has('pack.yaml') || has('pack.yml')) return '';
  const tops = new Set(paths.map((p) => p.split('/')[0]));
  if (tops.size !== 1) return null;
  const [top] = [...tops];
  return has(`${top}/pack.yaml`) || has(`${top}/pack.yml`) ? top : null;
}

/** Lists and checks every entry of a .tar(.gz) file; throws 400 on the first unsafe one. */
export async function inspectArchive(file: string): Promise<ArchiveEntryInfo[]> {
  const entries: ArchiveEntryInfo[] = [];
  let problem: string | null = null;
  let total = 0;
  try {
    await list({
      file,
      strict: true,
      onReadEntry: (entry) => {
        const info: ArchiveEntryInfo = { path: entry.path, type: entry.type, size: entry.size };
        if (!problem) problem = archiveEntryProblem(info);
        total += entry.size ?? 0;
        entries.push(info);
        if (!problem && entries.length > MAX_ARCHIVE_ENTRIES) problem = `more than ${MAX_ARCHIVE_ENTRIES} entries`;
        if (!problem && total > MAX_ARCHIVE_UNPACKED_BYTES) problem = `more than ${MAX_ARCHIVE_UNPACKED_BYTES} bytes unpacked`;
      },
    });
  } catch (err) {
    throw badRequest(`Invalid archive: ${(err as Error).message}`);
  }
  if (problem) throw badRequest(`Invalid archive: ${problem}`);
  if (entries.length === 0) throw badRequest('Invalid archive: it holds no files');
  return entries;
}

/**
 * Checks the archive, extracts it into `destDir` (an empty scratch folder) and returns the absolute
 * folder that holds pack.yaml.
 */
export async function extractPackArchive(file: string, destDir: string): Promise<string> {
  const entries = await inspectArchive(file);
  const root = findPackRoot(entries.map((e) => e.path));
  if (root === null) throw badRequest('Invalid archive: no pack.yaml at the archive root or inside a single top-level folder');
  try {
    await extract({
      file,
      cwd: destDir,
      strict: true,
      preserveOwner: false,
      preservePaths: false,
      filter: (_p, entry) => {
        const e = entry as unknown as { path: string; type: string };
        return archiveEntryProblem({ path: e.path, type: e.type }) === null;
      },
    });
  } catch (err) {
    throw badRequest(`Invalid archive: ${(err as Error).message}`);
  }
  return root === '' ? destDir : path.join(destDir, root);
}
