/**
 * Byte counts written relative to the target's output limits, so that features state sizes the way the rule is
 * stated ("the stdout limit minus 128") while the numbers come from the target (`worker.max_stdout_bytes` /
 * `max_stderr_bytes`, support/target.ts; ATTUNE_E2E_MAX_STDOUT_BYTES / _STDERR_ overrides).
 *
 *  {byteCount}   "the stdout limit", "the stderr limit plus 4096", "the stdout limit minus 127",
 *                "5 times the stdout limit", "4 times the stdout limit plus 128", or a plain number ("4224")
 */
import { defineParameterType } from '@cucumber/cucumber';
import { target } from './target';

export type OutputStreamName = 'stdout' | 'stderr';

export const OUTPUT_STREAMS: readonly OutputStreamName[] = ['stdout', 'stderr'];

/** Bytes of each limit the worker keeps free for the truncation marker (internals §4.7). */
export const MARKER_RESERVE_BYTES = 128;

const BYTE_COUNT = /^(?:(\d+) times )?the (stdout|stderr) limit(?: (plus|minus) (\d+))?$|^(\d+)$/;

export function outputLimit(stream: OutputStreamName): number {
  return stream === 'stdout' ? target().maxStdoutBytes : target().maxStderrBytes;
}

/** How many bytes of a stream are stored at most: its limit minus the marker reserve. */
export function keptBytes(stream: OutputStreamName): number {
  return outputLimit(stream) - MARKER_RESERVE_BYTES;
}

export function parseByteCount(text: string): number {
  const m = BYTE_COUNT.exec(text.trim());
  if (!m) {
    throw new Error(
      `"${text}" is not a byte count (write "the stdout limit", "the stderr limit plus 4096", "5 times the stdout limit minus 3" or a number)`,
    );
  }
  if (m[5] !== undefined) return Number(m[5]);
  const times = m[1] === undefined ? 1 : Number(m[1]);
  const offset = m[4] === undefined ? 0 : Number(m[4]) * (m[3] === 'minus' ? -1 : 1);
  const count = times * outputLimit(m[2] as OutputStreamName) + offset;
  if (count < 0) throw new Error(`"${text}" is ${count} bytes here: a byte count cannot be negative`);
  return count;
}

export function parseStream(word: string): OutputStreamName {
  if (!(OUTPUT_STREAMS as readonly string[]).includes(word)) throw new Error(`"${word}" is not an output stream (stdout or stderr)`);
  return word as OutputStreamName;
}

defineParameterType({
  name: 'byteCount',
  regexp: /(?:\d+ times )?the (?:stdout|stderr) limit(?: (?:plus|minus) \d+)?|\d+/,
  transformer: (text: string): number => parseByteCount(text),
  useForSnippets: false,
});

defineParameterType({
  name: 'stream',
  regexp: /stdout|stderr/,
  transformer: (word: string): OutputStreamName => parseStream(word),
  useForSnippets: false,
});
