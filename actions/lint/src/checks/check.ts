import { spawnSync } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import type { Problem } from '../../../shared/annotations.ts';

/** What one check found; `skipped` says why it could not run. */
export interface CheckResult {
  name: string;
  problems: Problem[];
  skipped?: string;
}

/** A check over the repository at `root`. */
export type Check = (root: string) => CheckResult | Promise<CheckResult>;

/** Runs a program in `root` to completion, never through a shell. */
export function exec(
  root: string,
  command: string,
  args: string[],
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A path as annotations want it: relative to the repository root. */
export const repoPath = (root: string, path: string) =>
  isAbsolute(path) ? relative(root, path) : path;

/**
 * The problems a thrown configuration error describes. The pipeline's
 * errors carry `file:line: message` (one per line for params.yaml); anything
 * else lands on `file` as a whole.
 */
export function problemsFromError(error: unknown, file: string, title: string): Problem[] {
  const text = errorMessage(error);
  const located = [...text.matchAll(/^\s*([^\s:]+):(\d+): (.+)$/gm)].map((m): Problem => ({
    file: m[1]!,
    line: Number(m[2]),
    message: m[3]!,
    title,
  }));
  if (located.length > 0) return located;
  if (!(error instanceof ConfigurationError)) throw error;
  return [{ file, message: text, title }];
}

/** The 1-based line of the first match of `pattern` (a RegExp, or a plain substring), or undefined. */
export function lineOf(text: string, pattern: RegExp | string): number | undefined {
  const index = typeof pattern === 'string' ? text.indexOf(pattern) : text.search(pattern);
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}
