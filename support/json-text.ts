import { parse as losslessParse } from 'lossless-json';
/**
 * JSON written in a feature (docstrings, table cells): parsed with an error that says what was being read.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message}): ${text}`);
  }
}

/**
 * JSON read without losing digits. JSON.parse rounds an integer beyond ±(2^53 − 1) to the nearest double
 * (9007199254740993 becomes 9007199254740992), so a check built on it could not tell a target that keeps such a
 * number from one that rounds it. Here those integers come back as exact `bigint`s; every other number is a `number`
 * as with JSON.parse. Used for answers of the target (`ApiClient.raw`) and for payloads written in features.
 */
export function parseJsonExact(text: string, what: string): unknown {
  try {
    // 2^53 has 16 digits: without a run of 16 digits no integer can lose any
    if (!/\d{16}/.test(text)) return JSON.parse(text) as unknown;
    return losslessParse(text, null, { parseNumber: exactNumber, onDuplicateKey: ({ newValue }) => newValue });
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message}): ${text}`);
  }
}

function exactNumber(text: string): number | bigint {
  const n = Number(text);
  return /^-?\d+$/.test(text) && !Number.isSafeInteger(n) ? BigInt(text) : n;
}

const BIGINT_MARK = '\u2063bigint:';
const BIGINT_MARKED = /"\u2063bigint:(-?\d+)"/g;

/** JSON.stringify that also writes `bigint`s (as their exact digits), for bodies sent and for messages. */
export function jsonText(value: unknown): string {
  // the holder's own value: a toJSON somebody gave bigints would otherwise have turned it into something else already
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const own = this[key];
    return typeof own === 'bigint' ? `${BIGINT_MARK}${own.toString()}` : v;
  }) as string | undefined;
  if (text === undefined) return String(text);
  return text.includes(BIGINT_MARK) ? text.replace(BIGINT_MARKED, '$1') : text;
}
