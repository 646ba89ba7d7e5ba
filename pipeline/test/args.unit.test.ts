import { describe, expect, it } from 'vitest';
import { parseFlags, PARAMS_FLAG } from '@housing/core/args';
import { ConfigurationError } from '@housing/core/errors';

const FLAGS = {
  data: { type: 'string', value: '<csv>', description: 'the CSV to read' },
  params: PARAMS_FLAG,
  quiet: { type: 'boolean', description: 'print nothing' },
} as const;
const HELP = { command: 'npm run thing', summary: 'Does a thing.' };

describe('parseFlags: a string flag given an empty value', () => {
  // '--params=' used to reach the command as the path '', which then failed
  // as "error: : cannot read the pipeline parameters (ENOENT)", naming nothing.
  for (const argv of [['--data='], ['--params='], ['--data', ''], ['--quiet', '--data=']]) {
    it(`${JSON.stringify(argv)} is refused, naming the flag`, () => {
      let caught: unknown;
      try {
        parseFlags(argv, FLAGS, HELP);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      const flag = argv.find((a) => a.startsWith('--data') || a.startsWith('--params'))!;
      expect((caught as Error).message).toMatch(
        new RegExp(`^${flag.replace(/=$/, '')} needs a value`),
      );
    });
  }

  it('a value that only looks empty is kept', () => {
    expect(parseFlags(['--data= '], FLAGS, HELP).data).toBe(' ');
    expect(parseFlags(['--data=x', '--quiet'], FLAGS, HELP)).toEqual({ data: 'x', quiet: true });
  });
});
