/**
 * GitHub Actions expressions (`${{ ... }}` and `if:`), the subset the project's
 * workflows use: literals, context paths, `==`, `!=`, `&&`, `||`, `!`,
 * parentheses and the functions below. Anything else throws, naming where it
 * was found, so a workflow that starts using new syntax cannot be walked by a
 * wrong guess.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A value an expression yields: what GitHub's expression language knows. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** The contexts an expression may read, and the job state the status functions read. */
export interface ExpressionScope {
  contexts: Record<string, Value>;
  /** Whether every earlier step (or needed job) succeeded: success() and the implicit if. */
  succeeded: boolean;
  /** The workspace hashFiles reads. */
  workspace: string;
  /** file:job:step, for the error. */
  where: string;
}

/** Thrown for syntax or a function the walk does not know. */
export class ExpressionError extends Error {
  constructor(message: string, where: string) {
    super(`${where}: ${message}`);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new ExpressionError(`unterminated string in "${text}"`, where);
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") break;
        else value += text[i++];
      }
      i++;
      tokens.push({ kind: 'str', value });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'id', value: m[0] });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '&&', '||'].find((o) => text.startsWith(o, i)) ?? c;
      if (!['==', '!=', '&&', '||', '!', '(', ')', '.', ',', '[', ']'].includes(op))
        throw new ExpressionError(`unknown syntax "${op}" in "${text}"`, where);
      tokens.push({ kind: 'op', value: op });
      i += op.length;
    }
  }
  return tokens;
}

/** Truthiness as GitHub defines it. */
export const truthy = (v: Value): boolean =>
  !(v === null || v === false || v === 0 || v === '' || Number.isNaN(v));

const toNumber = (v: Value): number =>
  v === null
    ? 0
    : typeof v === 'boolean'
      ? Number(v)
      : typeof v === 'number'
        ? v
        : typeof v === 'string'
          ? v.trim() === ''
            ? 0
            : Number(v)
          : NaN;

/** `==`: strings compare ignoring case; mixed types compare as numbers. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  const isObject = (v: Value) => v !== null && typeof v === 'object';
  if (isObject(a) || isObject(b)) return a === b;
  return toNumber(a) === toNumber(b);
}

/** How a value reads in a `${{ }}` inside a string. */
export function stringify(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A stable hash of the named workspace files (no globs: the workflows name one file). */
function hashFiles(patterns: Value[], scope: ExpressionScope): string {
  const hash = createHash('sha256');
  let matched = 0;
  for (const pattern of patterns) {
    const path = stringify(pattern);
    if (/[*?[]/.test(path))
      throw new ExpressionError(`hashFiles('${path}'): globs are not emulated`, scope.where);
    try {
      hash.update(
        createHash('sha256')
          .update(readFileSync(join(scope.workspace, path)))
          .digest(),
      );
      matched++;
    } catch {
      // GitHub hashes what exists and skips the rest.
    }
  }
  return matched === 0 ? '' : hash.digest('hex');
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly scope: ExpressionScope,
    private readonly text: string,
  ) {}

  parse(): Value {
    const value = this.or();
    if (this.pos < this.tokens.length) this.fail(`unexpected "${this.peek()!.value}"`);
    return value;
  }

  private fail(message: string): never {
    throw new ExpressionError(`${message} in "${this.text}"`, this.scope.where);
  }
  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private eat(op: string): boolean {
    const t = this.peek();
    if (t?.kind === 'op' && t.value === op) return (this.pos++, true);
    return false;
  }
  private expect(op: string): void {
    if (!this.eat(op)) this.fail(`expected "${op}"`);
  }

  private or(): Value {
    let left = this.and();
    while (this.eat('||')) {
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  private and(): Value {
    let left = this.equality();
    while (this.eat('&&')) {
      const right = this.equality();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  private equality(): Value {
    let left = this.unary();
    for (;;) {
      if (this.eat('==')) left = equal(left, this.unary());
      else if (this.eat('!=')) left = !equal(left, this.unary());
      else return left;
    }
  }
  private unary(): Value {
    if (this.eat('!')) return !truthy(this.unary());
    return this.primary();
  }
  private primary(): Value {
    const t = this.tokens[this.pos++];
    if (!t) this.fail('unexpected end');
    if (t.kind === 'str' || t.kind === 'num') return t.value;
    if (t.kind === 'op') {
      if (t.value !== '(') this.fail(`unexpected "${t.value}"`);
      const v = this.or();
      this.expect(')');
      return v;
    }
    if (t.value === 'true') return true;
    if (t.value === 'false') return false;
    if (t.value === 'null') return null;
    if (this.eat('(')) return this.call(t.value);
    if (!(t.value in this.scope.contexts)) this.fail(`unknown context "${t.value}"`);
    let value: Value = this.scope.contexts[t.value]!;
    for (;;) {
      let key: Value;
      if (this.eat('.')) {
        const id = this.tokens[this.pos++];
        if (id?.kind !== 'id') this.fail('expected a property name after "."');
        key = id.value;
      } else if (this.eat('[')) {
        key = this.or();
        this.expect(']');
      } else return value;
      // A missing property is null, as on GitHub; objects' keys ignore case there too.
      if (value === null || typeof value !== 'object' || Array.isArray(value)) value = null;
      else {
        const name: string | undefined = Object.keys(value).find(
          (k) => k.toLowerCase() === stringify(key).toLowerCase(),
        );
        value = name === undefined ? null : value[name]!;
      }
    }
  }
  private call(name: string): Value {
    const args: Value[] = [];
    if (!this.eat(')')) {
      do args.push(this.or());
      while (this.eat(','));
      this.expect(')');
    }
    const [a = null, b = null] = args;
    switch (name) {
      case 'always':
        return true;
      case 'success':
        return this.scope.succeeded;
      case 'contains':
        return Array.isArray(a)
          ? a.some((item) => equal(item, b))
          : stringify(a).toLowerCase().includes(stringify(b).toLowerCase());
      case 'startsWith':
        return stringify(a).toLowerCase().startsWith(stringify(b).toLowerCase());
      case 'format':
        return stringify(a).replace(/\{(\d+)\}/g, (_, n: string) =>
          stringify(args[Number(n) + 1] ?? null),
        );
      case 'hashFiles':
        return hashFiles(args, this.scope);
      default:
        return this.fail(`unknown function ${name}()`);
    }
  }
}

/** Evaluates one expression (the text inside `${{ }}`, or an `if:` without it). */
export function evaluate(text: string, scope: ExpressionScope): Value {
  return new Parser(tokenize(text, scope.where), scope, text).parse();
}

/** Replaces every `${{ expr }}` in a string; a string that is one expression keeps its value's text. */
export function interpolate(text: string, scope: ExpressionScope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) =>
    stringify(evaluate(expr, scope)),
  );
}

/**
 * Whether a step or job with this `if:` runs. Without a status function GitHub
 * adds `success() &&`; a missing `if:` is `success()`.
 */
export function condition(ifText: string | boolean | undefined, scope: ExpressionScope): boolean {
  if (ifText === undefined) return scope.succeeded;
  const text = String(ifText)
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const value = truthy(evaluate(text, scope));
  return /\b(always|success|failure|cancelled)\s*\(/.test(text) ? value : scope.succeeded && value;
}
