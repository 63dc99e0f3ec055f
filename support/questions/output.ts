/**
 * Questions about what an execution's result says of its output (internals §4.7, docs/runtimes.md "Output limits"):
 * the stored text of a stream, whether the result flags it as truncated and by how many bytes, and the text an
 * action's byte-exact generator printed, to compare with. Outputs here run to megabytes, so mismatches are described
 * by position and a short excerpt, never by a full diff.
 */
import type { OutputStreamName } from '../output-sizes';
import type { Execution } from './executions';
import { resultOf } from './outcomes';

/** Attune's truncation marker for a stream: two line breaks, the notice, a line break. */
export function truncationMarker(stream: OutputStreamName, notice = `[OUTPUT TRUNCATED: ${stream} exceeded size limit]`): string {
  return `\n\n${notice}\n`;
}

/** The stored text of a stream ('' when the result has none). */
export function storedOutput(run: Execution, stream: OutputStreamName): string {
  const text = resultOf(run)[stream];
  return typeof text === 'string' ? text : '';
}

export interface TruncationFlags {
  truncated: unknown;
  bytesTruncated: unknown;
}

/** `<stream>_truncated` and `<stream>_bytes_truncated` exactly as the result holds them (undefined when absent). */
export function truncationFlags(run: Execution, stream: OutputStreamName): TruncationFlags {
  const result = resultOf(run);
  return { truncated: result[`${stream}_truncated`], bytesTruncated: result[`${stream}_bytes_truncated`] };
}

/** A stream the result does not flag: no flag at all, or `false` with 0 bytes (both mean "nothing was cut"). */
export function isUnflagged(flags: TruncationFlags): boolean {
  const noFlag = flags.truncated === undefined || flags.truncated === false;
  const noCount = flags.bytesTruncated === undefined || flags.bytesTruncated === 0;
  return noFlag && noCount;
}

/** What `yes '<line>' | head -c <bytes>` prints: the line and a line break, over and over, cut at `bytes`. */
export function repeatedLines(line: string, bytes: number): string {
  const unit = `${line}\n`;
  if (Buffer.byteLength(unit) !== unit.length) throw new Error(`"${line}" must be ASCII so that bytes and characters count alike`);
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

function excerpt(text: string, at: number): string {
  return JSON.stringify(text.slice(Math.max(0, at - 40), at + 60));
}

/** Undefined when equal; otherwise lengths, the first differing position and the text around it on both sides. */
export function textMismatch(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  let at = 0;
  const shortest = Math.min(actual.length, expected.length);
  while (at < shortest && actual.charCodeAt(at) === expected.charCodeAt(at)) at++;
  return (
    `${actual.length} characters (${Buffer.byteLength(actual)} bytes) stored, ${expected.length} expected ` +
    `(${Buffer.byteLength(expected)} bytes); first difference at character ${at}:\n` +
    `  stored:   …${excerpt(actual, at)}…\n  expected: …${excerpt(expected, at)}…\n` +
    `  stored ends with:   ${JSON.stringify(actual.slice(-80))}\n  expected ends with: ${JSON.stringify(expected.slice(-80))}`
  );
}
