import { isAbsolute, relative } from 'node:path';
import type { ExecOutput } from '@actions/exec';
import { ConfigurationError } from '@housing/core/errors';
import type { Problem } from '../../../shared/annotations.ts';
import { execProgram } from '../../../shared/exec.ts';

/** What one check found; `skipped` says why it could not run. */
export interface CheckResult {
  name: string;
  problems: Problem[];
  skipped?: string;
}

/** A check over the repository at `root`. */
export type Check = (root: string) => CheckResult | Promise<CheckResult>;

/**
 * Runs a linter in `root`: its stdout is its findings (kept out of the log),
 * an exit code outside `okCodes` is a CommandError.
 */
export function exec(
  root: string,
  command: string,
  args: string[],
  okCodes: readonly number[] | 'any',
): Promise<ExecOutput> {
  return execProgram(command, args, { cwd: root, okCodes, quietStdout: true });
}

/** A path as annotations want it: relative to the repository root. */
export const repoPath = (root: string, path: string) =>
  isAbsolute(path) ? relative(root, path) : path;

/**
 * The problems a thrown ConfigurationError lists, from their fields: each
 * one's file, line and column, else `file` as a whole. A problem located
 * only by a place as text (a key path, or the file the error was given)
 * keeps that place in its message. Any other error is a bug, and is thrown.
 */
export function problemsFromError(error: unknown, file: string, title: string): Problem[] {
  if (!(error instanceof ConfigurationError)) throw error;
  return error.problems.map((p): Problem => ({
    file: p.file ?? file,
    ...(p.line === undefined ? {} : { line: p.line }),
    ...(p.column === undefined ? {} : { column: p.column }),
    message: p.file === undefined && p.path !== undefined ? `${p.path}: ${p.message}` : p.message,
    title,
  }));
}

/** The 1-based line of the first match of `pattern` (a RegExp, or a plain substring), or undefined. */
export function lineOf(text: string, pattern: RegExp | string): number | undefined {
  const index = typeof pattern === 'string' ? text.indexOf(pattern) : text.search(pattern);
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}
