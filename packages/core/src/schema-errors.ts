import type { ErrorObject } from 'ajv';
import { listSome, truncateText } from './errors.ts';

/** One JSON Schema violation: the JSON Pointer of the value at fault, and what is wrong. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** How {@link describeSchemaError} words an error. */
export interface DescribeOptions {
  /**
   * Whether a missing or unexpected property is named by its own path
   * (`/rows/0/age is required`, the default) or, as ajv says it, at the
   * object that lacks it (`/rows/0 must have required property 'age'`),
   * which clients of the relay already read.
   */
  locateProperty?: boolean;
}

/** A key as one JSON Pointer token (RFC 6901), as ajv writes instance paths. */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * One ajv error as a path and a message. Allowed values (`enum`, `const`)
 * are quoted, a long list cut to its first ten: a contract's enum can be long.
 */
export function describeSchemaError(e: ErrorObject, options: DescribeOptions = {}): SchemaProblem {
  const params = e.params as {
    missingProperty?: string;
    additionalProperty?: string;
    allowedValues?: unknown[];
    allowedValue?: unknown;
  };
  const locate = options.locateProperty ?? true;
  if (locate && e.keyword === 'required' && params.missingProperty !== undefined)
    return {
      path: `${e.instancePath}/${pointerToken(params.missingProperty)}`,
      message: 'is required',
    };
  if (locate && e.keyword === 'additionalProperties' && params.additionalProperty !== undefined)
    return {
      path: `${e.instancePath}/${pointerToken(params.additionalProperty)}`,
      message: 'is not allowed',
    };
  if (e.keyword === 'enum' && params.allowedValues)
    return {
      path: e.instancePath,
      message: `must be one of ${listSome(params.allowedValues.map((v) => JSON.stringify(v)))}`,
    };
  const message = e.message ?? e.keyword;
  if (e.keyword === 'const')
    return { path: e.instancePath, message: `${message} (${JSON.stringify(params.allowedValue)})` };
  return { path: e.instancePath, message };
}

/** How {@link schemaProblemLines} bounds what it lists. */
export interface ListOptions extends DescribeOptions {
  /** At most this many problems, then `and N more problems`. */
  max: number;
  /** Each path cut to this many characters: a path quotes the input's keys. */
  maxPathChars: number;
  /** How the document itself is named when the path is empty. */
  root: string;
}

/**
 * ajv's errors as `<path> <message>` lines, at most `max` of them plus one
 * saying how many more there are: a 1 MiB body can hold a million problems,
 * and the answer must stay smaller than the question.
 */
export function schemaProblemLines(
  errors: readonly ErrorObject[] | null | undefined,
  options: ListOptions,
): string[] {
  const all = errors ?? [];
  const lines = all.slice(0, options.max).map((e) => {
    const { path, message } = describeSchemaError(e, options);
    return `${truncateText(path || options.root, options.maxPathChars)} ${message}`;
  });
  const more = all.length - lines.length;
  return more > 0 ? [...lines, `and ${more.toLocaleString('en-US')} more problems`] : lines;
}
