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
