import { stringifyExact } from '../common/exact-json';
/**
 * Update semantics for optional fields. Attune's update bodies use explicit patch operations for
 * some nullable fields: `{"op": "set", "value": v}` or `{"op": "clear"}`. We accept those and plain
 * values; an absent field or `null` leaves the column unchanged.
 */
export type Patch =
  | { kind: 'keep' }
  | { kind: 'set'; value: unknown }
  | { kind: 'clear' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for `{op: "set", value}` / `{op: "clear"}` (and nothing else). */
export function isPatchOp(v: unknown): boolean {
  if (!isObject(v) || (v.op !== 'set' && v.op !== 'clear')) return false;
  return Object.keys(v).every((k) => k === 'op' || k === 'value');
}

export function readPatch(v: unknown): Patch {
  if (v === undefined || v === null) return { kind: 'keep' };
  if (isPatchOp(v)) {
    const op = v as { op: string; value?: unknown };
    if (op.op === 'clear') return { kind: 'clear' };
    return op.value === undefined || op.value === null ? { kind: 'clear' } : { kind: 'set', value: op.value };
  }
  return { kind: 'set', value: v };
}

/**
 * Collects column/value pairs for an UPDATE or INSERT. `set(col, value)` skips undefined;
 * `patch(col, raw, encode?)` applies a Patch. `sql()` is '' when nothing changes.
 */
export class UpdateBuilder {
  readonly columns: string[] = [];
  readonly values: string[] = [];
  constructor(readonly params: unknown[]) {}

  set(column: string, value: unknown, cast = ''): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.columns.push(column);
    this.values.push(`$${this.params.length}${cast}`);
    return this;
  }

  patch(column: string, raw: unknown, encode: (v: unknown) => unknown = (v) => v, cast = ''): this {
    const p = readPatch(raw);
    if (p.kind === 'keep') return this;
    if (p.kind === 'clear') {
      this.columns.push(column);
      this.values.push('NULL');
      return this;
    }
    return this.set(column, encode(p.value), cast);
  }

  get empty(): boolean {
    return this.columns.length === 0;
  }

  /** `a = $1, b = NULL` for an UPDATE. */
  sql(): string {
    return this.columns.map((c, i) => `${c} = ${this.values[i]}`).join(', ');
  }

  /** `(a, b) VALUES ($1, NULL)` for an INSERT. */
  insertSql(): string {
    return `(${this.columns.join(', ')}) VALUES (${this.values.join(', ')})`;
  }
}

/** JSON columns travel as text so pg does not turn JS arrays into PostgreSQL arrays. */
export const asJson = (v: unknown): string => stringifyExact(v);
