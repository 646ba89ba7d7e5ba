import { pullData } from '../dvc/pull.ts';
import { runShell } from '../runner/run-stages.ts';
import { parseFlags } from '../util/args.ts';
import { createCliLogger } from '../util/logger.ts';
import { which } from '../util/which.ts';
import { runCli } from './run-cli.ts';

const USAGE = 'npm run data:pull -- [--remote <name>] [--builtin]';

/**
 * `npm run data:pull`: `dvc pull` when DVC is installed, else the built-in,
 * hash-verified pull from a local or http(s) remote.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    { remote: { type: 'string' }, builtin: { type: 'boolean' } },
    USAGE,
  );
  const logger = createCliLogger('data:pull');
  if (!flags.builtin && which('dvc')) {
    logger.info('dvc is on PATH: running dvc pull');
    return runShell(
      `dvc pull${flags.remote ? ` --remote '${flags.remote.replace(/'/g, '')}'` : ''}`,
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
