/**
 * Nesting limit for JSON the api accepts. Deeper documents parse fine but overflow the stack later
 * (JSON.stringify, validation), which would turn bad input into a 500. 128 levels is the limit
 * serde_json applies in Attune.
 */
export const MAX_JSON_DEPTH = 128;

/** True when `value` nests objects/arrays more than `limit` levels deep (iterative: no recursion). */
export function jsonTooDeep(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
