import { spawnSync } from 'node:child_process';
import { which } from '@housing/core/which';

/**
 * True when a test needing these programs must be skipped: they are missing
 * and this is not CI. In CI (.ci/run installs them) a missing one fails loudly.
 */
export function missing(...programs: string[]): boolean {
  return !process.env.CI && programs.some((p) => !which(p));
}

/** Runs a program to completion; stdout and stderr together, for assertions and messages. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): { status: number | null; output: string } {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8' });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
