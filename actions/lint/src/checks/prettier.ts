import { exec, type Check } from './check.ts';

/** Prettier: every file it would change. */
export const checkPrettier: Check = (root) => {
  const run = exec(root, 'npx', ['--no-install', 'prettier', '--list-different', '.']);
  if (run.code !== 0 && run.code !== 1)
    throw new Error(`prettier exited with ${run.code}: ${run.stderr}`);
  return {
    name: 'Prettier',
    problems: run.stdout
      .split('\n')
      .filter(Boolean)
      .map((file) => ({ file, message: 'not formatted: run npm run format', title: 'Prettier' })),
  };
};
