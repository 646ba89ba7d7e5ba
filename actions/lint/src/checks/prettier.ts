import { exec, type Check } from './check.ts';

/** Prettier: every file it would change. */
export const checkPrettier: Check = async (root) => {
  // 1 is "some files differ"; anything else is Prettier failing.
  const run = await exec(
    root,
    'npx',
    ['--no-install', 'prettier', '--list-different', '.'],
    [0, 1],
  );
  return {
    name: 'Prettier',
    problems: run.stdout
      .split('\n')
      .filter(Boolean)
      .map((file) => ({ file, message: 'not formatted: run npm run format', title: 'Prettier' })),
  };
};
