import { parseFlags, PARAMS_FLAG, type CommandHelp } from '@housing/core/args';
import { EnvReader } from '@housing/core/env';
import { createCliLogger } from '@housing/core/logger';
import { runCli } from '@housing/core/run-cli';
import { which } from '@housing/core/which';
import { refreshData } from '../refresh/refresh.ts';
import { DEFAULT_PREDICTION_LOG_DIR, storeLocation } from '../refresh/store.ts';

const HELP: CommandHelp = {
  command: 'npm run data:refresh',
  summary: [
    "Brings production's labelled predictions (feedback joined to its logged input) into the",
    'versioned data: exports those new since the last export, checks them against the data',
    'contract, measures their drift against production, appends them to data/ as a new DVC',
    'version, pushes it, and opens or updates the one data-refresh pull request.',
    '',
    'The store: DATABASE_URL (or DATABASE_URL_FILE), else the embedded store in',
    `PREDICTION_LOG_DIR (default ${DEFAULT_PREDICTION_LOG_DIR}), which the service must have`,
    'logged to: the refresh never creates it. The pull request: GITHUB_TOKEN and',
    'GITHUB_REPOSITORY (GITHUB_API_URL for GitHub Enterprise); without a token the new version',
    'stays in the checkout. Exit 0 done or nothing new, 1 or 2 failed.',
  ].join('\n'),
};

/** `npm run data:refresh`: see HELP and README.md, "The data loop". */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      params: PARAMS_FLAG,
      reference: {
        type: 'string',
        value: '<card>',
        description: 'the model card whose reference profile drift is measured against',
        defaultText: 'params.yaml validate.reference',
      },
      remote: {
        type: 'string',
        value: '<name>',
        description: 'the remote of .dvc/config to pull from and push to',
        defaultText: "the config's core.remote",
      },
      base: {
        type: 'string',
        value: '<branch>',
        description: 'the branch the pull request targets',
        defaultText: "the repository's default branch",
      },
      builtin: {
        type: 'boolean',
        description: 'use the built-in pull and push even when DVC is installed',
      },
    },
    HELP,
  );
  const store = storeLocation();
  const env = new EnvReader();
  const token = env.secret('GITHUB_TOKEN', { required: false, file: false });
  env.finish();
  const logger = createCliLogger('data:refresh');
  // Ctrl-C or SIGTERM ends the refresh where it is: before the last step
  // everything it wrote is a temporary copy (removed by the next pull or
  // refresh), and the step that puts the version in place is synchronous,
  // so this handler can only run before it or after it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      logger.warn(
        `${signal}: stopped; data/ and data.dvc are as they were, or wholly the new version`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  const useDvc = !flags.builtin && which('dvc') !== undefined;
  const result = await refreshData({
    root: process.cwd(),
    ...(flags.params ? { params: flags.params } : {}),
    reference: flags.reference,
    store,
    remote: flags.remote,
    useDvc,
    github: token ? { token, base: flags.base } : undefined,
    logger,
  });
  if (result.kind === 'refreshed') process.stdout.write(result.body);
  else process.stdout.write(`${result.message}\n`);
  return 0;
});
