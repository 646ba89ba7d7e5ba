import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type Check } from './check.ts';

/** The TypeScript compiler over tsconfig.json, without emitting. */
export const checkTypes: Check = (root) => {
  if (!existsSync(join(root, 'tsconfig.json')))
    return { name: 'TypeScript', problems: [], skipped: 'no tsconfig.json' };
  const run = exec(root, 'npx', [
    '--no-install',
    'tsc',
    '--noEmit',
    '-p',
    'tsconfig.json',
    '--pretty',
    'false',
  ]);
  const problems = [...run.stdout.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.+)$/gm)].map(
    (m) => ({
      file: m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      message: `${m[5]} (${m[4]})`,
      title: 'TypeScript',
    }),
  );
  if (run.code !== 0 && problems.length === 0)
    throw new Error(`tsc exited with ${run.code}: ${run.stdout}${run.stderr}`);
  return { name: 'TypeScript', problems };
};
