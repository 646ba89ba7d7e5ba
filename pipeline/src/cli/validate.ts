import { validateCsv } from '../validate/validate.ts';
import { formatValidationSummary } from '../validate/summary.ts';
import { PARAMS_FLAG, parseFlags, type CommandHelp } from '../util/args.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { createCliLogger } from '../util/logger.ts';
import { loadStageConfig, readCardIfPresent } from './common.ts';
import { runCli } from './run-cli.ts';

const HELP: CommandHelp = {
  command: 'npm run validate',
  summary:
    'Validates a CSV against the data contract, the dataset rules and drift from a reference\nmodel card; prints a summary. Exit 0 pass, 1 fail, 2 bad input.',
};

/** Validates a CSV against the data contract; exits 1 when validation fails. */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      data: {
        type: 'string',
        value: '<csv>',
        description: 'the CSV to validate',
        defaultText: 'params.yaml data.path',
      },
      reference: {
        type: 'string',
        value: '<card>',
        description: 'the model card whose reference profile drift is measured against',
        defaultText: 'params.yaml validate.reference',
      },
      report: {
        type: 'string',
        value: '<json>',
        description: 'also write the full report here',
        defaultText: 'none',
      },
      params: PARAMS_FLAG,
    },
    HELP,
  );
  const logger = createCliLogger('validate');
  const { params, contract } = await loadStageConfig(flags.params);
  const data = flags.data ?? params.data.path;
  const referencePath = flags.reference ?? params.validate.reference;
  const card = await readCardIfPresent(referencePath);
  if (!card)
    logger.info(`no reference profile at ${referencePath}: drift is not checked on this run`);
  const report = await validateCsv(data, {
    contract,
    drift: params.validate.drift,
    ...(card ? { reference: card.reference_profile } : {}),
  });
  if (flags.report) await writeJsonAtomic(flags.report, report);
  process.stdout.write(`${formatValidationSummary(report)}\n`);
  return report.status === 'fail' ? 1 : 0;
});
