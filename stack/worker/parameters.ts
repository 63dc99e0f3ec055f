/**
 * Serialises an action's input parameters for delivery on stdin or in a parameter file.
 *   json   - compact, single line
 *   yaml   - a YAML document of the map
 *   dotenv - `key='value'` lines, sorted; nested objects flattened to dotted keys, arrays as JSON
 *            text, null -> empty value, `'` escaped as `'\''`; empty objects produce no lines
 */
import YAML from 'yaml';
import { stringifyExact } from '../common/exact-json';

export type ParameterFormat = 'json' | 'dotenv' | 'yaml';
export const PARAMETER_FORMATS: readonly ParameterFormat[] = ['json', 'dotenv', 'yaml'];

export function isParameterFormat(v: unknown): v is ParameterFormat {
  return typeof v === 'string' && (PARAMETER_FORMATS as readonly string[]).includes(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Single-quotes a value for a shell-style dotenv line. */
export function quoteDotenvValue(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function dotenvScalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return stringifyExact(v);
  return String(v);
}

/** Flattens nested objects into `[dotted.key, text]` pairs. */
export function flattenForDotenv(params: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    const full = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) out.push(...flattenForDotenv(value, full));
    else out.push([full, dotenvScalar(value)]);
  }
  return out;
}

export function formatDotenv(params: Record<string, unknown>): string {
  return flattenForDotenv(params)
    .map(([k, v]) => `${k}=${quoteDotenvValue(v)}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join('\n');
}

export function formatParameters(params: Record<string, unknown>, format: 'json' | 'dotenv' | 'yaml'): string {
  const doc = isPlainObject(params) ? params : {};
  switch (format) {
    case 'json':
      return stringifyExact(doc);
    case 'dotenv':
      return formatDotenv(doc);
    case 'yaml':
      return YAML.stringify(doc);
    default:
      throw new Error(`Unsupported parameter format: ${String(format)}`);
  }
}
