import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '@housing/core/errors';
import { exec, type Check } from './check.ts';

/** The TypeScript compiler over tsconfig.json, without emitting. */
export const checkTypes: Check = async (root) => {
  if (!existsSync(join(root, 'tsconfig.json')))
    return { name: 'TypeScript', problems: [], skipped: 'no tsconfig.json' };
  const command = ['--no-install', 'tsc', '--noEmit', '-p', 'tsconfig.json', '--pretty', 'false'];
  // 1 and 2 are "found type errors"; they are parsed below.
  const run = await exec(root, 'npx', command, [0, 1, 2]);
  const problems = [...run.stdout.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.+)$/gm)].map(
    (m) => ({
      file: m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      message: `${m[5]} (${m[4]})`,
      title: 'TypeScript',
    }),
  );
  if (run.exitCode !== 0 && problems.length === 0)
    throw new CommandError(['npx', ...command], run.exitCode, `${run.stdout}${run.stderr}`);
  return { name: 'TypeScript', problems };
};
