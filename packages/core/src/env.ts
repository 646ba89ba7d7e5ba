import { bearerTokenProblem } from './bearer-token.ts';
import { ConfigurationError, errnoCode } from './errors.ts';
import { readFileAtMostSync } from './read-text.ts';

/** The environment as a process sees it (process.env, or a test's object). */
export type Env = Record<string, string | undefined>;

/** An integer variable's default and range. */
export interface IntSpec {
  fallback: number;
  min: number;
  max: number;
  /**
   * How a bad value is worded. `quoted` (the default) puts the value first:
   * `PORT="x": expected an integer from 0 to 65535`; `named` puts it last:
   * `PORT: must be a whole number from 0 to 65535, got 'x'`. The service and
   * the relay each kept theirs: operators' notes and tests quote them.
   */
  wording?: 'quoted' | 'named';
}

/** A secret variable: VAR, or the file VAR_FILE names. */
export interface SecretSpec {
  /** Whether the program cannot run without it; an optional one is '' when unset. */
  required: boolean;
  /** Shortest accepted value, and what to say when it is shorter. */
  minLength?: { chars: number; hint?: string };
  /** Whether VAR_FILE is read (compose and Kubernetes secrets). */
  file: boolean;
}

/** The most a secret file may hold; tokens are far shorter. */
export const MAX_SECRET_BYTES = 65_536;

/** An integer as decimal digits (a minus sign and surrounding blanks allowed). */
const DECIMAL_INTEGER = /^\s*-?\d+\s*$/;

/**
 * Reads typed settings from the environment and collects every problem,
 * each naming its variable, so that one start reports them all at once
 * ({@link EnvReader.finish}). An empty value means unset, for every
 * variable: `HOST=` must not listen on every interface. Values that may be
 * secrets are never echoed.
 */
export class EnvReader {
  /** Every problem so far, one line each, starting with the variable's name. */
  readonly problems: string[] = [];

  constructor(private readonly env: Env = process.env) {}

  /** The raw value, undefined when unset or empty. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === '' ? undefined : value;
  }

  /** Records a problem with `name` (its text starts with the name). */
  problem(text: string): void {
    this.problems.push(text);
  }

  /** A string, or `fallback` when unset. */
  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /**
   * An integer in [min, max], as decimal digits only: Number() would also read
   * 0x10, 1e3, 0b11 and 5000.0, none of which anyone means as a port or a
   * timeout. A bad value is a problem, and `fallback` stands in for it.
   */
  int(name: string, spec: IntSpec): number {
    const raw = this.raw(name);
    if (raw === undefined) return spec.fallback;
    const value = DECIMAL_INTEGER.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(value) && value >= spec.min && value <= spec.max) return value;
    this.problem(
      spec.wording === 'named'
        ? `${name}: must be a whole number from ${spec.min} to ${spec.max}, got '${raw}'`
        : `${name}=${JSON.stringify(raw)}: expected an integer from ${spec.min} to ${spec.max}`,
    );
    return spec.fallback;
  }

  /** A duration given in whole seconds (`COOLDOWN_SECONDS`), in milliseconds; range in seconds. */
  secondsAsMs(name: string, spec: IntSpec): number {
    return this.int(name, spec) * 1000;
  }

  /** One of `values`, or `fallback` when unset. */
  oneOf<const T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    const expected =
      values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
    this.problem(`${name}=${JSON.stringify(raw)}: expected ${expected}`);
    return fallback;
  }

  /** A switch written `on` or `off`. */
  onOff(name: string, fallback: boolean): boolean {
    return this.oneOf(name, ['on', 'off'], fallback ? 'on' : 'off') === 'on';
  }

  /**
   * A base URL to append paths to: absolute, http(s), without credentials,
   * query or fragment, returned without a trailing slash. The value is not
   * echoed back: a malformed one may hold a secret.
   */
  baseUrl(name: string, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const problem = (what: string) => {
      this.problem(`${name}: ${what} (e.g. ${fallback})`);
      return fallback;
    };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return problem('not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      return problem(`must be http or https, got '${url.protocol}'`);
    if (url.username || url.password) return problem('must not contain credentials');
    if (url.search) return problem('must not have a query');
    if (url.hash) return problem('must not have a fragment');
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }

  /**
   * A bearer token from `name`, or (when `spec.file`) from the file
   * `${name}_FILE` names, read up to {@link MAX_SECRET_BYTES} and trimmed.
   * Exactly one of the two may be set: with both, which one counts would be a
   * guess. A file that is missing, unreadable, empty or too long is a problem
   * naming `${name}_FILE` and its path, whether the secret is required or not:
   * an operator who points at a file means to set it. The token must be
   * visible ASCII (a header carries it); '' when absent and optional. No
   * message quotes the value.
   */
  secret(name: string, spec: SecretSpec): string {
    const fileVariable = `${name}_FILE`;
    const file = spec.file ? this.raw(fileVariable) : undefined;
    let value = this.raw(name);
    if (file !== undefined && value !== undefined) {
      this.problem(`${name} and ${fileVariable} are both set: set only one`);
      return '';
    }
    if (file !== undefined) {
      value = this.secretFile(fileVariable, file);
      if (value === undefined) return '';
    }
    if (value === undefined) {
      if (spec.required)
        this.problem(
          spec.file ? `${name} (or ${fileVariable}) is required` : `${name} is required`,
        );
      return '';
    }
    const short = spec.minLength && value.length < spec.minLength.chars;
    const problem = short
      ? `must be at least ${spec.minLength!.chars} characters${spec.minLength!.hint ? ` ${spec.minLength!.hint}` : ''}`
      : bearerTokenProblem(value);
    // A token read from a file is named by the file, where the operator must fix it.
    if (problem)
      this.problem(`${file === undefined ? name : `${fileVariable} (${file})`}: ${problem}`);
    return value;
  }

  /** The trimmed text of a secret's file, or undefined after recording why there is none. */
  private secretFile(variable: string, file: string): string | undefined {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileAtMostSync(file, MAX_SECRET_BYTES);
    } catch (error) {
      this.problem(`${variable}: cannot read ${file} (${errnoCode(error) ?? 'unreadable'})`);
      return undefined;
    }
    if (bytes === undefined) {
      this.problem(
        `${variable}: ${file} is longer than ${MAX_SECRET_BYTES.toLocaleString('en-US')} bytes, more than a token`,
      );
      return undefined;
    }
    const text = bytes.toString('utf8').trim();
    if (text === '') this.problem(`${variable}: ${file} is empty`);
    return text || undefined;
  }

  /**
   * Throws every problem at once, one per line, as a ConfigurationError at
   * `where` (the CLI prints it and exits 2); returns when there is none.
   */
  finish(where?: string): void {
    if (this.problems.length > 0)
      throw new ConfigurationError(
        `invalid configuration:\n  ${this.problems.join('\n  ')}`,
        where,
      );
  }
}
