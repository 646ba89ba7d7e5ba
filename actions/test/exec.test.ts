import { describe, expect, it } from 'vitest';
import { CommandError } from '@housing/core/errors';
import { execProgram } from '../shared/exec.ts';
import { failureMessage } from '../shared/run.ts';

const node = process.execPath;
const script = (code: number) =>
  `process.stdout.write("out"); process.stderr.write("why it failed"); process.exit(${code})`;

describe('execProgram (@actions/exec)', () => {
  it('returns the output of a program that succeeds, arguments passed as they are', async () => {
    const quoted = `it's "quoted" $HOME; echo no-shell`;
    const run = await execProgram(node, ['-e', 'process.stdout.write(process.argv[1])', quoted], {
      quietStdout: true,
    });
    expect(run).toMatchObject({ exitCode: 0, stdout: quoted });
  });

  it('throws a CommandError with the exit code and stderr of a program that fails', async () => {
    const error = await execProgram(node, ['-e', script(3)], { quietStdout: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ exitCode: 3, stderr: 'why it failed' });
    expect((error as CommandError).command).toEqual([node, '-e', script(3)]);
  });

  it('takes the exit codes the caller reads as answers, and names a command by its label', async () => {
    const answered = await execProgram(node, ['-e', script(1)], {
      okCodes: [0, 1],
      quietStdout: true,
    });
    expect(answered).toMatchObject({ exitCode: 1, stdout: 'out', stderr: 'why it failed' });
    const error = await execProgram(node, ['-e', script(2)], {
      okCodes: [0, 1],
      quietStdout: true,
      label: ['node', 'script'],
    }).catch((e: unknown) => e);
    expect(failureMessage(error)).toBe('node script exited with 2; see the log above');
  });

  it('adds variables to the environment the program sees', async () => {
    const run = await execProgram(
      node,
      ['-e', 'process.stdout.write(process.env.EXTRA + process.env.PATH.length)'],
      {
        env: { EXTRA: 'yes' },
        quietStdout: true,
      },
    );
    expect(run.stdout).toMatch(/^yes\d+$/);
  });
});
