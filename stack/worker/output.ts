/**
 * Capturing and interpreting an action's output.
 *  - BoundedOutput: a size-limited stdout/stderr buffer with a truncation marker (§4.7)
 *  - parseOutput: turning stdout into `result.data` per the action's output format (§4.8)
 *  - errorFromStderr: the `error` text of a failed execution (§4.9)
 */
import YAML from 'yaml';
import { fault } from '../common/faults';
import { parseExact } from '../common/exact-json';

export type OutputStream = 'stdout' | 'stderr';
export type OutputFormat = 'text' | 'json' | 'yaml' | 'jsonl';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'yaml', 'jsonl'];

/** Bytes of each limit kept free for the truncation marker. */
export const MARKER_RESERVE_BYTES = 128;

export function truncationMarker(stream: OutputStream): string {
  return `\n\n[OUTPUT TRUNCATED: ${stream} exceeded size limit]\n`;
}

/** Largest n <= cut such that buf[0..n) does not end inside a UTF-8 multi-byte sequence. */
function utf8SafeCut(buf: Buffer, cut: number): number {
  if (cut <= 0) return 0;
  if (cut >= buf.length) return buf.length;
  let i = cut;
  // Step back over continuation bytes (10xxxxxx) to the start of the character at `cut`.
  while (i > 0 && (buf[i] & 0xc0) === 0x80) i--;
  return i;
}

export class BoundedOutput {
  readonly stream: OutputStream;
  readonly limitBytes: number;
  /** Data bytes that may be kept: the limit minus the marker reserve. */
  readonly capacityBytes: number;
  truncated = false;
  bytesTruncated = 0;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private cached: string | null = null;

  constructor(stream: 'stdout' | 'stderr', limitBytes: number) {
    this.stream = stream;
    this.limitBytes = Math.max(0, Math.floor(limitBytes));
    this.capacityBytes = Math.max(0, this.limitBytes - MARKER_RESERVE_BYTES);
  }

  /** Data bytes kept so far (without the marker). */
  get bytesKept(): number {
    return this.kept;
  }

  /** Every byte ever pushed, kept or not. */
  get totalBytes(): number {
    return this.kept + this.bytesTruncated;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // fault output-truncation-off: no limit at all, every byte is kept (stdout and stderr)
    // fault stderr-limit-ignored: stderr alone is kept whole, stdout is still bounded
    if (fault('output-truncation-off') || (this.stream === 'stderr' && fault('stderr-limit-ignored'))) {
      this.cached = null;
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (this.truncated) {
      this.bytesTruncated += chunk.length;
      return;
    }
    this.cached = null;
    const room = this.capacityBytes - this.kept;
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    const cut = utf8SafeCut(chunk, room);
    if (cut > 0) {
      this.chunks.push(chunk.subarray(0, cut));
      this.kept += cut;
    }
    this.truncated = true;
    this.bytesTruncated += chunk.length - cut;
  }

  /**
   * Bytes a reader in another process (the worker's process launcher) must pass on before it may send only the count
   * of the rest (skip): past the limit nothing more is kept. Infinity while a fault keeps every byte.
   */
  get forwardLimit(): number {
    if (fault('output-truncation-off') || (this.stream === 'stderr' && fault('stderr-limit-ignored'))) return Infinity;
    return this.limitBytes;
  }

  /** Bytes read but not passed on (see forwardLimit): counted as truncated, as push would have. */
  skip(bytes: number): void {
    if (bytes <= 0) return;
    if (this.truncated) this.bytesTruncated += bytes;
    else this.push(Buffer.alloc(bytes)); // not reached: more than the limit was passed on before any skip
  }

  /**
   * Captured text, followed by the truncation marker when output was dropped. Bytes that are not
   * UTF-8 become U+FFFD, one per invalid byte (Node's decoder; the same as Rust's from_utf8_lossy).
   */
  text(): string {
    if (this.cached === null) {
      let body = Buffer.concat(this.chunks, this.kept).toString('utf8');
      // fault output-invalid-utf8-dropped: invalid bytes vanish instead of becoming U+FFFD
      if (fault('output-invalid-utf8-dropped')) body = body.replace(/\uFFFD/g, '');
      // fault output-marker-missing: output is cut and flagged, but the marker is never appended
      this.cached = this.truncated && !fault('output-marker-missing') ? body + truncationMarker(this.stream) : body;
    }
    return this.cached;
  }
}

export interface ParsedOutput {
  parsed: boolean;
  data?: unknown;
}

function tryJson(text: string): ParsedOutput {
  try {
    return { parsed: true, data: parseExact(text) };
  } catch {
    return { parsed: false };
  }
}

/** Folds nested objects into dotted top-level keys (`{"a": {"b": 1}}` → `{"a.b": 1}`), also inside arrays. Fault only. */
function flattenObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flattenObjects);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  const fold = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) fold(v as Record<string, unknown>, `${prefix}${k}.`);
      else out[`${prefix}${k}`] = flattenObjects(v);
    }
  };
  fold(value as Record<string, unknown>, '');
  return out;
}

/**
 * Interprets stdout by output format. Blank stdout and `text` are never parsed; json tries the
 * whole text and then the last non-blank line; yaml parses the whole text; jsonl collects every
 * line that parses (none -> not parsed). A parse failure is not an error.
 */
export function parseOutput(stdout: string, format: 'text' | 'json' | 'yaml' | 'jsonl'): { parsed: boolean; data?: unknown } {
  if (typeof stdout !== 'string' || stdout.trim() === '') return { parsed: false };
  switch (format) {
    case 'json': {
      const whole = tryJson(stdout);
      const lines = stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
      const found = whole.parsed ? whole : lines.length > 0 ? tryJson(lines[lines.length - 1]) : { parsed: false };
      // fault json-output-flattened: nested objects are folded into dotted top-level keys
      return found.parsed && fault('json-output-flattened') ? { parsed: true, data: flattenObjects(found.data) } : found;
    }
    case 'yaml':
      try {
        return { parsed: true, data: YAML.parse(stdout) };
      } catch {
        return { parsed: false };
      }
    case 'jsonl': {
      const items: unknown[] = [];
      for (const line of stdout.split(/\r?\n/)) {
        if (line.trim() === '') continue;
        const r = tryJson(line);
        if (r.parsed) items.push(r.data);
      }
      return items.length > 0 ? { parsed: true, data: items } : { parsed: false };
    }
    default:
      return { parsed: false };
  }
}

/** Stderr text when it has at most 5 lines, else its last non-empty line; blank -> exit-code text. */
export function errorFromStderr(stderr: string, exitCode: number): string {
  const trimmed = (stderr ?? '').trim();
  if (trimmed === '') return `Command exited with code ${exitCode}`;
  const lines = trimmed.split(/\r?\n/);
  if (lines.length <= 5) return trimmed;
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  return nonEmpty[nonEmpty.length - 1].trim();
}
