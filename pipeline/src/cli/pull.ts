import { pullData } from '../dvc/pull.ts';
import { runShell } from '../runner/run-stages.ts';
import { parseFlags, type CommandHelp } from '@housing/core/args';
import { createCliLogger } from '@housing/core/logger';
import { which } from '@housing/core/which';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm run data:pull',
  summary:
    'Pulls data/ by hash as data.dvc records it: `dvc pull data.dvc` when DVC is on PATH, else the\nbuilt-in pull (local, http(s) or s3 remote, every md5 verified). Exit 0 done, 1 or 2 failed.',
};

/**
 * `npm run data:pull`: `dvc pull data.dvc` when DVC is installed, else the built-in,
 * hash-verified pull from a local, http(s) or s3 remote.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      remote: {
        type: 'string',
        value: '<name>',
        description: 'the remote of .dvc/config to pull from',
        defaultText: "the config's core.remote",
      },
      builtin: {
        type: 'boolean',
        description: 'use the built-in pull even when DVC is installed',
      },
    },
    HELP,
  );
  const logger = createCliLogger('data:pull');
  if (!flags.builtin && which('dvc')) {
    logger.info('dvc is on PATH: running dvc pull data.dvc');
    // Only data.dvc: a bare `dvc pull` also wants every output dvc.lock
    // records, which the built-in stage runner makes and nobody pushes.
    return runShell(
      `dvc pull${flags.remote ? ` --remote '${flags.remote.replace(/'/g, '')}'` : ''} data.dvc`,
      process.cwd(),
    );
  }
  await pullData({
    root: process.cwd(),
    logger,
    ...(flags.remote ? { remote: flags.remote } : {}),
  });
  return 0;
});
