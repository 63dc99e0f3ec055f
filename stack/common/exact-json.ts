/**
 * JSON that keeps integers exact.
 *
 * Attune (Rust, serde_json) carries an integer such as 9007199254740993 or -9223372036854775808 through a
 * webhook payload, the event row, the enforcement and the execution unchanged; JavaScript's JSON.parse would
 * round it to the nearest double. Here an integer literal that a double cannot hold exactly is parsed into a
 * `bigint`, and `stringifyExact` writes it back as the same digits. Every other number stays a `number`.
 *
 * `bigint` is used (not a wrapper object) so that the many `typeof v === 'object'` walkers of the stack leave it
 * alone as a scalar. JSON.stringify cannot write a bigint by itself: `BigInt.prototype.toJSON` turns it into a
 * marked string that `stringifyExact` then unquotes; a plain JSON.stringify of such a value would show the
 * marker, so every serialisation on the payload path goes through `stringifyExact`.
 */
import { parse as losslessParse } from 'lossless-json';

const MARK = '\u2063exact-int:';
const MARKED = /"\u2063exact-int:(-?\d+)"/g;

declare global {
  interface BigInt {
    toJSON(): string;
  }
}

if (typeof (BigInt.prototype as { toJSON?: unknown }).toJSON !== 'function') {
  Object.defineProperty(BigInt.prototype, 'toJSON', {
    value: function toJSON(this: bigint): string {
      return `${MARK}${this.toString()}`;
    },
    writable: true,
    configurable: true,
  });
}

/** 2^53 has 16 digits: text without a run of 16 digits cannot hold an integer a double loses. */
const LONG_DIGITS = /\d{16}/;
const INTEGER = /^-?\d+$/;

function exactNumber(text: string): number | bigint {
  const n = Number(text);
  if (INTEGER.test(text) && !Number.isSafeInteger(n)) return BigInt(text);
  return n;
}

/** JSON.parse, except that integers beyond ±(2^53 − 1) come back as exact `bigint`s. */
export function parseExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // duplicate keys: the last one wins, as with JSON.parse
  return losslessParse(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
}

/** JSON.stringify that writes `bigint`s as their exact digits. */
export function stringifyExact(value: unknown, replacer?: null, space?: number | string): string {
  const text = JSON.stringify(value, replacer, space) as string | undefined;
  if (text === undefined) return text as unknown as string;
  if (!text.includes(MARK)) return text;
  return text.replace(MARKED, '$1');
}
