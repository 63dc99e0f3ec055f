/**
 * Making an execution result storable in PostgreSQL's `jsonb` column.
 *
 * jsonb refuses the character U+0000 (`unsupported Unicode escape sequence`), and an action can
 * produce it: a NUL byte on stdout/stderr, or a `\u0000` escape inside JSON output that is parsed
 * into `result.data`. A refused UPDATE would leave the execution `running` forever, so every
 * U+0000 in the result (string values and object keys, at any depth) is replaced by U+FFFD, the
 * same character that stands for a byte that is not UTF-8. Nothing else is changed.
 */

const NUL = /\u0000/g;
export const NUL_REPLACEMENT = '\uFFFD';

/** The value with every U+0000 replaced by U+FFFD; unchanged values are returned as they are. */
export function storable<T>(value: T): T {
  return replaceNul(value) as T;
}

function replaceNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(NUL, NUL_REPLACEMENT) : value;
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[replaceNul(key) as string] = replaceNul(v);
  return out;
}
