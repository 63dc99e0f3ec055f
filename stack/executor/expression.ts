/**
 * Attune's workflow expression language: a small, side-effect-free language used inside `{{ }}`
 * in workflow task input, `when`, `publish`, `with_items`, `output_map`, and in rule
 * `conditions.expression`.
 *
 * Implementation: tokenizer -> recursive-descent parser -> AST -> tree-walking evaluator.
 * Nothing is ever handed to `eval` / `Function`.
 *
 * Precedence, lowest to highest:
 *   or, and, not, comparisons (== != < > <= >= in, not in), + -, * / %, unary minus,
 *   postfix (.field, [index], name(args)).
 */

import { fault } from '../common/faults';
import { stringifyExact } from '../common/exact-json';

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** Extra functions the caller may provide under `context.__functions__`. */
export type ExpressionFunction = (...args: unknown[]) => unknown;
export const FUNCTIONS_KEY = '__functions__';

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'number' | 'string' | 'name' | 'op' | 'eof';

interface Token {
  kind: TokenKind;
  /** For 'number': numeric value; for 'string': decoded text; for 'name'/'op': the text. */
  value: string | number;
  pos: number;
}

const TWO_CHAR_OPS = new Set(['==', '!=', '<=', '>=']);
const ONE_CHAR_OPS = new Set(['<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', ',', ':', '.']);

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z_]/.test(c);
}

function isNamePart(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    const prev = tokens[tokens.length - 1];
    if (isDigit(c)) {
      // Right after a '.', only an integer segment is allowed (`items.0.name`).
      const afterDot = prev !== undefined && prev.kind === 'op' && prev.value === '.';
      while (isDigit(source[i])) i++;
      if (!afterDot) {
        if (source[i] === '.' && isDigit(source[i + 1])) {
          i++;
          while (isDigit(source[i])) i++;
        }
        if ((source[i] === 'e' || source[i] === 'E') &&
            (isDigit(source[i + 1]) || ((source[i + 1] === '+' || source[i + 1] === '-') && isDigit(source[i + 2])))) {
          i += 2;
          while (isDigit(source[i])) i++;
        }
      }
      tokens.push({ kind: 'number', value: Number(source.slice(start, i)), pos: start });
      continue;
    }
    if (c === '"' || c === "'") {
      const quote = c;
      i++;
      let text = '';
      let closed = false;
      while (i < n) {
        const ch = source[i];
        if (ch === quote) {
          closed = true;
          i++;
          break;
        }
        if (ch === '\\') {
          const esc = source[i + 1];
          if (esc === undefined) break;
          i += 2;
          switch (esc) {
            case 'n': text += '\n'; break;
            case 't': text += '\t'; break;
            case 'r': text += '\r'; break;
            case '0': text += '\0'; break;
            case '\\': text += '\\'; break;
            case '"': text += '"'; break;
            case "'": text += "'"; break;
            case '/': text += '/'; break;
            case 'u': {
              const hex = source.slice(i, i + 4);
              if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionError(`Invalid \\u escape at position ${i - 2}`);
              text += String.fromCharCode(parseInt(hex, 16));
              i += 4;
              break;
            }
            default: text += '\\' + esc;
          }
          continue;
        }
        text += ch;
        i++;
      }
      if (!closed) throw new ExpressionError(`Unterminated string starting at position ${start}`);
      tokens.push({ kind: 'string', value: text, pos: start });
      continue;
    }
    if (isNameStart(c)) {
      while (isNamePart(source[i])) i++;
      tokens.push({ kind: 'name', value: source.slice(start, i), pos: start });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      tokens.push({ kind: 'op', value: two, pos: start });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.has(c)) {
      tokens.push({ kind: 'op', value: c, pos: start });
      i++;
      continue;
    }
    throw new ExpressionError(`Unexpected character '${c}' at position ${i}`);
  }
  tokens.push({ kind: 'eof', value: '', pos: n });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// AST and parser
// ---------------------------------------------------------------------------------------------

export type Node =
  | { type: 'literal'; value: unknown }
  | { type: 'ident'; name: string }
  | { type: 'list'; items: Node[] }
  | { type: 'object'; entries: Array<[string, Node]> }
  | { type: 'member'; target: Node; name: string }
  | { type: 'index'; target: Node; index: Node }
  | { type: 'call'; name: string; args: Node[] }
  | { type: 'unary'; op: '-' | 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }
  | { type: 'logical'; op: 'and' | 'or'; left: Node; right: Node };

const KEYWORD_LITERALS: Record<string, unknown> = {
  true: true, True: true,
  false: false, False: false,
  null: null, None: null,
};
const RESERVED = new Set(['and', 'or', 'not', 'in']);
const COMPARISON_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly source: string) {}

  parse(): Node {
    if (this.peek().kind === 'eof') throw new ExpressionError('Empty expression');
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') throw this.error(`Unexpected ${describe(t)}`, t);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.value === value;
  }

  private isName(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'name' && t.value === value;
  }

  private expectOp(value: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.value !== value) throw this.error(`Expected '${value}' but found ${describe(t)}`, t);
  }

  private error(message: string, t: Token): ExpressionError {
    return new ExpressionError(`${message} at position ${t.pos} in expression: ${this.source}`);
  }

  private parseOr(): Node {
    let left = this.parseAnd();
    while (this.isName('or')) {
      this.next();
      left = { type: 'logical', op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseNot();
    while (this.isName('and')) {
      this.next();
      left = { type: 'logical', op: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Node {
    if (this.isName('not')) {
      this.next();
      return { type: 'unary', op: 'not', operand: this.parseNot() };
    }
    return this.parseComparison();
  }

  private parseComparison(): Node {
    let left = this.parseAdditive();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && COMPARISON_OPS.has(t.value as string)) {
        this.next();
        left = { type: 'binary', op: t.value as string, left, right: this.parseAdditive() };
      } else if (this.isName('in')) {
        this.next();
        left = { type: 'binary', op: 'in', left, right: this.parseAdditive() };
      } else if (this.isName('not') && this.isName('in', 1)) {
        this.next();
        this.next();
        left = { type: 'binary', op: 'not in', left, right: this.parseAdditive() };
      } else {
        return left;
      }
    }
  }

  private parseAdditive(): Node {
    let left = this.parseMultiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as string;
      left = { type: 'binary', op, left, right: this.parseMultiplicative() };
    }
    return left;
  }

  private parseMultiplicative(): Node {
    let left = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().value as string;
      left = { type: 'binary', op, left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Node {
    if (this.isOp('-')) {
      this.next();
      return { type: 'unary', op: '-', operand: this.parseUnary() };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Node {
    let node = this.parsePrimary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.next();
        if (t.kind === 'name') node = { type: 'member', target: node, name: t.value as string };
        else if (t.kind === 'number') node = { type: 'index', target: node, index: { type: 'literal', value: t.value } };
        else throw this.error(`Expected a field name after '.' but found ${describe(t)}`, t);
      } else if (this.isOp('[')) {
        this.next();
        const index = this.parseOr();
        this.expectOp(']');
        node = { type: 'index', target: node, index };
      } else if (this.isOp('(')) {
        const t = this.peek();
        if (node.type !== 'ident') throw this.error('Only named functions can be called', t);
        this.next();
        node = { type: 'call', name: node.name, args: this.parseArgs(')') };
      } else {
        return node;
      }
    }
  }

  /** Parses a comma-separated list up to (and including) `close`; a trailing comma is allowed. */
  private parseArgs(close: string): Node[] {
    const items: Node[] = [];
    if (this.isOp(close)) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.parseOr());
      if (this.isOp(',')) {
        this.next();
        if (this.isOp(close)) {
          this.next();
          return items;
        }
        continue;
      }
      this.expectOp(close);
      return items;
    }
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
      case 'string':
        return { type: 'literal', value: t.value };
      case 'name': {
        const name = t.value as string;
        if (Object.prototype.hasOwnProperty.call(KEYWORD_LITERALS, name)) {
          return { type: 'literal', value: KEYWORD_LITERALS[name] };
        }
        if (RESERVED.has(name)) throw this.error(`Unexpected keyword '${name}'`, t);
        return { type: 'ident', name };
      }
      case 'op':
        if (t.value === '(') {
          const inner = this.parseOr();
          this.expectOp(')');
          return inner;
        }
        if (t.value === '[') return { type: 'list', items: this.parseArgs(']') };
        if (t.value === '{') return this.parseObject();
        throw this.error(`Unexpected ${describe(t)}`, t);
      default:
        throw this.error('Unexpected end of expression', t);
    }
  }

  /** `{key: value, "other key": value}`; bare-word keys are taken literally (not looked up). */
  private parseObject(): Node {
    const entries: Array<[string, Node]> = [];
    if (this.isOp('}')) {
      this.next();
      return { type: 'object', entries };
    }
    for (;;) {
      const k = this.next();
      let key: string;
      if (k.kind === 'string' || k.kind === 'name') key = String(k.value);
      else if (k.kind === 'number') key = String(k.value);
      else throw this.error(`Expected an object key but found ${describe(k)}`, k);
      this.expectOp(':');
      entries.push([key, this.parseOr()]);
      if (this.isOp(',')) {
        this.next();
        if (this.isOp('}')) {
          this.next();
          return { type: 'object', entries };
        }
        continue;
      }
      this.expectOp('}');
      return { type: 'object', entries };
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'string') return `string ${stringifyExact(t.value)}`;
  return `'${t.value}'`;
}

export function parseExpression(source: string): Node {
  if (typeof source !== 'string') throw new ExpressionError('Expression must be a string');
  return new Parser(tokenize(source), source).parse();
}

// ---------------------------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------------------------

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Falsy: null/undefined, false, 0 (and NaN), "", [], {}. Everything else is truthy. */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Structural equality over JSON-like values, without any type coercion. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Name of a value's type as reported by `type_of()`. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Converts a value to text the way interpolation and `string()` do. */
export function stringify(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return stringifyExact(v);
}

function norm(v: unknown): unknown {
  return v === undefined ? null : v;
}

// ---------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------

type Context = Record<string, unknown>;

export function evaluateExpression(source: string, context: Record<string, unknown>): unknown {
  const ast = parseExpression(source);
  return norm(evaluateNode(ast, context ?? {}));
}

export function evaluateNode(node: Node, ctx: Context): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'ident':
      if (node.name === FUNCTIONS_KEY) return null;
      return hasOwn(ctx, node.name) ? norm(ctx[node.name]) : null;
    case 'list':
      return node.items.map((item) => norm(evaluateNode(item, ctx)));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[k] = norm(evaluateNode(v, ctx));
      return out;
    }
    case 'member':
      return memberOf(evaluateNode(node.target, ctx), node.name);
    case 'index':
      return indexInto(evaluateNode(node.target, ctx), evaluateNode(node.index, ctx));
    case 'call':
      return callFunction(node.name, node.args.map((a) => norm(evaluateNode(a, ctx))), ctx);
    case 'unary': {
      const v = evaluateNode(node.operand, ctx);
      if (node.op === 'not') return !isTruthy(v);
      if (typeof v !== 'number') throw new ExpressionError(`Cannot negate a value of type ${typeName(v)}`);
      return v === 0 ? 0 : -v;
    }
    case 'logical': {
      const left = evaluateNode(node.left, ctx);
      if (node.op === 'and') return isTruthy(left) ? isTruthy(evaluateNode(node.right, ctx)) : false;
      return isTruthy(left) ? true : isTruthy(evaluateNode(node.right, ctx));
    }
    case 'binary':
      return binary(node.op, norm(evaluateNode(node.left, ctx)), norm(evaluateNode(node.right, ctx)));
  }
}

function memberOf(target: unknown, name: string): unknown {
  if (isPlainObject(target)) return hasOwn(target, name) ? norm(target[name]) : null;
  return null;
}

function normalizeIndex(i: number, length: number): number | null {
  if (!Number.isInteger(i)) return null;
  const idx = i < 0 ? length + i : i;
  return idx >= 0 && idx < length ? idx : null;
}

function indexInto(target: unknown, index: unknown): unknown {
  if (target === null || target === undefined) return null;
  if (Array.isArray(target)) {
    if (typeof index !== 'number') throw new ExpressionError(`Array index must be a number, got ${typeName(index)}`);
    const i = normalizeIndex(index, target.length);
    return i === null ? null : norm(target[i]);
  }
  if (typeof target === 'string') {
    if (typeof index !== 'number') throw new ExpressionError(`String index must be a number, got ${typeName(index)}`);
    const chars = Array.from(target);
    const i = normalizeIndex(index, chars.length);
    return i === null ? null : chars[i];
  }
  if (isPlainObject(target)) {
    if (typeof index !== 'string' && typeof index !== 'number') {
      throw new ExpressionError(`Object key must be a string, got ${typeName(index)}`);
    }
    const key = String(index);
    return hasOwn(target, key) ? norm(target[key]) : null;
  }
  return null;
}

function requireNumbers(op: string, a: unknown, b: unknown): [number, number] {
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ExpressionError(`Operator '${op}' needs numbers, got ${typeName(a)} and ${typeName(b)}`);
  }
  return [a, b];
}

function contains(container: unknown, item: unknown, op: string): boolean {
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new ExpressionError(`'${op}' on a string needs a string, got ${typeName(item)}`);
    return container.includes(item);
  }
  if (isPlainObject(container)) {
    if (typeof item !== 'string') throw new ExpressionError(`'${op}' on an object needs a string key, got ${typeName(item)}`);
    return hasOwn(container, item);
  }
  throw new ExpressionError(`'${op}' needs an array, string or object on the right, got ${typeName(container)}`);
}

function compareOrdered(op: string, a: unknown, b: unknown): boolean {
  let c: number;
  // fault criteria-numeric-as-string: numbers are compared as their text ("9" > "100")
  if (typeof a === 'number' && typeof b === 'number' && fault('criteria-numeric-as-string')) c = String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  else if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else throw new ExpressionError(`Cannot compare ${typeName(a)} with ${typeName(b)} using '${op}'`);
  switch (op) {
    case '<': return c < 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    default: return c >= 0;
  }
}

function binary(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case '==': return deepEqual(a, b);
    case '!=': return !deepEqual(a, b);
    case '<': case '>': case '<=': case '>=': return compareOrdered(op, a, b);
    // fault criteria-in-ignored: membership is not checked, 'in' always holds
    case 'in': return fault('criteria-in-ignored') ? true : contains(b, a, op);
    case 'not in': return !contains(b, a, op);
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      throw new ExpressionError(`Operator '+' cannot combine ${typeName(a)} and ${typeName(b)}`);
    case '-': { const [x, y] = requireNumbers(op, a, b); return x - y; }
    case '*': { const [x, y] = requireNumbers(op, a, b); return x * y; }
    case '/': {
      const [x, y] = requireNumbers(op, a, b);
      if (y === 0) throw new ExpressionError('Division by zero');
      return x / y;
    }
    case '%': {
      const [x, y] = requireNumbers(op, a, b);
      if (y === 0) throw new ExpressionError('Modulo by zero');
      return x % y;
    }
  }
  throw new ExpressionError(`Unknown operator '${op}'`);
}

// ---------------------------------------------------------------------------------------------
// Built-in functions
// ---------------------------------------------------------------------------------------------

function callFunction(name: string, args: unknown[], ctx: Context): unknown {
  const custom = ctx[FUNCTIONS_KEY];
  let fn: unknown;
  if (custom instanceof Map) fn = custom.get(name);
  else if (isPlainObject(custom) && hasOwn(custom, name)) fn = custom[name];
  if (typeof fn === 'function') return norm((fn as ExpressionFunction)(...args));
  if (!hasOwn(BUILTINS, name)) throw new ExpressionError(`Unknown function '${name}'`);
  return norm(BUILTINS[name](args));
}

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new ExpressionError(`${name}() takes ${expected} argument(s), got ${args.length}`);
  }
}

function argString(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new ExpressionError(`${name}() expects a string, got ${typeName(v)}`);
  return v;
}

function argNumber(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new ExpressionError(`${name}() expects a number, got ${typeName(v)}`);
  return v;
}

function argInt(name: string, v: unknown): number {
  const n = argNumber(name, v);
  if (!Number.isInteger(n)) throw new ExpressionError(`${name}() expects an integer, got ${n}`);
  return n;
}

function argArray(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new ExpressionError(`${name}() expects an array, got ${typeName(v)}`);
  return v;
}

function argObject(name: string, v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw new ExpressionError(`${name}() expects an object, got ${typeName(v)}`);
  return v;
}

/** Either `f([a, b, c])` or `f(a, b, c)`. */
function spreadArgs(name: string, args: unknown[]): unknown[] {
  if (args.length === 1 && Array.isArray(args[0])) return args[0];
  if (args.length === 0) throw new ExpressionError(`${name}() needs at least one argument`);
  return args;
}

function parseNumberText(name: string, s: string): number {
  const t = s.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    throw new ExpressionError(`${name}() cannot convert ${stringifyExact(s)} to a number`);
  }
  return Number(t);
}

function roundHalfAway(x: number): number {
  const r = Math.round(Math.abs(x));
  return x < 0 ? (r === 0 ? 0 : -r) : r;
}

function sortValues(name: string, arr: unknown[]): unknown[] {
  if (arr.length === 0) return [];
  if (arr.every((x) => typeof x === 'number')) return [...(arr as number[])].sort((a, b) => a - b);
  if (arr.every((x) => typeof x === 'string')) return [...(arr as string[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  throw new ExpressionError(`${name}() needs all numbers or all strings`);
}

function sliceBound(v: unknown, length: number, dflt: number): number {
  if (v === null || v === undefined) return dflt;
  const n = argInt('slice', v);
  if (n < 0) return Math.max(0, length + n);
  return Math.min(n, length);
}

const BUILTINS: Record<string, (args: unknown[]) => unknown> = {
  string: (a) => { arity('string', a, 1); return stringify(a[0]); },
  number: (a) => {
    arity('number', a, 1);
    const v = a[0];
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') return parseNumberText('number', v);
    throw new ExpressionError(`number() cannot convert ${typeName(v)}`);
  },
  int: (a) => {
    arity('int', a, 1);
    const v = a[0];
    if (typeof v === 'number') return Math.trunc(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') return Math.trunc(parseNumberText('int', v));
    throw new ExpressionError(`int() cannot convert ${typeName(v)}`);
  },
  bool: (a) => { arity('bool', a, 1); return isTruthy(a[0]); },
  type_of: (a) => { arity('type_of', a, 1); return typeName(a[0]); },
  length: (a) => {
    arity('length', a, 1);
    const v = a[0];
    if (typeof v === 'string') return Array.from(v).length;
    if (Array.isArray(v)) return v.length;
    if (isPlainObject(v)) return Object.keys(v).length;
    throw new ExpressionError(`length() expects a string, array or object, got ${typeName(v)}`);
  },
  keys: (a) => { arity('keys', a, 1); return Object.keys(argObject('keys', a[0])); },
  values: (a) => { arity('values', a, 1); return Object.values(argObject('values', a[0])); },
  abs: (a) => { arity('abs', a, 1); return Math.abs(argNumber('abs', a[0])); },
  floor: (a) => { arity('floor', a, 1); return Math.floor(argNumber('floor', a[0])); },
  ceil: (a) => { arity('ceil', a, 1); return Math.ceil(argNumber('ceil', a[0])); },
  round: (a) => {
    arity('round', a, 1, 2);
    const x = argNumber('round', a[0]);
    if (a.length === 1 || a[1] === null) return roundHalfAway(x);
    const digits = argInt('round', a[1]);
    const f = 10 ** digits;
    return roundHalfAway(Number((x * f).toPrecision(15))) / f;
  },
  min: (a) => {
    const items = spreadArgs('min', a);
    if (items.length === 0) return null;
    return sortValues('min', items)[0];
  },
  max: (a) => {
    const items = spreadArgs('max', a);
    if (items.length === 0) return null;
    const sorted = sortValues('max', items);
    return sorted[sorted.length - 1];
  },
  sum: (a) => {
    arity('sum', a, 1);
    return argArray('sum', a[0]).reduce<number>((acc, x) => acc + argNumber('sum', x), 0);
  },
  lower: (a) => { arity('lower', a, 1); return argString('lower', a[0]).toLowerCase(); },
  upper: (a) => { arity('upper', a, 1); return argString('upper', a[0]).toUpperCase(); },
  trim: (a) => { arity('trim', a, 1); return argString('trim', a[0]).trim(); },
  split: (a) => {
    arity('split', a, 1, 2);
    const s = argString('split', a[0]);
    if (a.length === 1 || a[1] === null) return s.split(/\s+/).filter((p) => p !== '');
    const sep = argString('split', a[1]);
    return sep === '' ? Array.from(s) : s.split(sep);
  },
  join: (a) => {
    arity('join', a, 1, 2);
    const sep = a.length === 2 && a[1] !== null ? argString('join', a[1]) : '';
    return argArray('join', a[0]).map((x) => stringify(x)).join(sep);
  },
  replace: (a) => {
    arity('replace', a, 3);
    const s = argString('replace', a[0]);
    const from = argString('replace', a[1]);
    const to = argString('replace', a[2]);
    return from === '' ? s : s.split(from).join(to);
  },
  starts_with: (a) => { arity('starts_with', a, 2); return argString('starts_with', a[0]).startsWith(argString('starts_with', a[1])); },
  ends_with: (a) => { arity('ends_with', a, 2); return argString('ends_with', a[0]).endsWith(argString('ends_with', a[1])); },
  match: (a) => {
    arity('match', a, 2);
    const s = argString('match', a[0]);
    const pattern = argString('match', a[1]);
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'u');
    } catch (err) {
      throw new ExpressionError(`match() got an invalid regular expression: ${(err as Error).message}`);
    }
    return re.test(s);
  },
  contains: (a) => { arity('contains', a, 2); return contains(a[0], a[1], 'contains()'); },
  reversed: (a) => {
    arity('reversed', a, 1);
    const v = a[0];
    if (typeof v === 'string') return Array.from(v).reverse().join('');
    return [...argArray('reversed', v)].reverse();
  },
  sort: (a) => { arity('sort', a, 1); return sortValues('sort', argArray('sort', a[0])); },
  unique: (a) => {
    arity('unique', a, 1);
    const out: unknown[] = [];
    for (const x of argArray('unique', a[0])) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  flat: (a) => {
    arity('flat', a, 1);
    const out: unknown[] = [];
    for (const x of argArray('flat', a[0])) {
      if (Array.isArray(x)) out.push(...x);
      else out.push(x);
    }
    return out;
  },
  zip: (a) => {
    if (a.length === 0) return [];
    const arrays = a.map((x) => argArray('zip', x));
    const len = Math.min(...arrays.map((x) => x.length));
    const out: unknown[][] = [];
    for (let i = 0; i < len; i++) out.push(arrays.map((x) => x[i]));
    return out;
  },
  range: (a) => {
    arity('range', a, 1, 3);
    let start = 0;
    let end: number;
    let step = 1;
    if (a.length === 1) end = argInt('range', a[0]);
    else {
      start = argInt('range', a[0]);
      end = argInt('range', a[1]);
      if (a.length === 3) step = argInt('range', a[2]);
    }
    if (step === 0) throw new ExpressionError('range() step must not be zero');
    const count = Math.max(0, Math.ceil((end - start) / step));
    if (count > 1_000_000) throw new ExpressionError('range() would produce too many items');
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(start + i * step);
    return out;
  },
  slice: (a) => {
    arity('slice', a, 2, 3);
    const v = a[0];
    if (typeof v === 'string') {
      const chars = Array.from(v);
      const s = sliceBound(a[1], chars.length, 0);
      const e = sliceBound(a[2], chars.length, chars.length);
      return chars.slice(s, Math.max(s, e)).join('');
    }
    const arr = argArray('slice', v);
    const s = sliceBound(a[1], arr.length, 0);
    const e = sliceBound(a[2], arr.length, arr.length);
    return arr.slice(s, Math.max(s, e));
  },
  index_of: (a) => {
    arity('index_of', a, 2);
    const v = a[0];
    if (typeof v === 'string') {
      const at = v.indexOf(argString('index_of', a[1]));
      return at < 0 ? -1 : Array.from(v.slice(0, at)).length;
    }
    return argArray('index_of', v).findIndex((x) => deepEqual(x, a[1]));
  },
  count: (a) => {
    arity('count', a, 2);
    const v = a[0];
    if (typeof v === 'string') {
      const needle = argString('count', a[1]);
      if (needle === '') return 0;
      return v.split(needle).length - 1;
    }
    return argArray('count', v).filter((x) => deepEqual(x, a[1])).length;
  },
  merge: (a) => {
    const out: Record<string, unknown> = {};
    for (const x of a) {
      if (x === null) continue;
      Object.assign(out, argObject('merge', x));
    }
    return out;
  },
  chunks: (a) => {
    arity('chunks', a, 2);
    const arr = argArray('chunks', a[0]);
    const size = argInt('chunks', a[1]);
    if (size < 1) throw new ExpressionError('chunks() size must be at least 1');
    const out: unknown[][] = [];
    for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
    return out;
  },
};

export const BUILTIN_FUNCTION_NAMES: readonly string[] = Object.keys(BUILTINS);
