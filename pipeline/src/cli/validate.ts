import { resolveDriftReference } from '../drift/reference.ts';
import { validateCsv } from '../validate/validate.ts';
import { formatValidationSummary } from '../validate/summary.ts';
import { PARAMS_FLAG, parseFlags, type CommandHelp } from '@housing/core/args';
import { writeJsonAtomic } from '@housing/core/atomic';
import { loadStageConfig } from '../params/stage-config.ts';
import { CSV_LIMIT_FLAGS, csvLimitsFromFlags, dataFlag } from './csv-flags.ts';
import { runCli } from '@housing/core/run-cli';

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
      data: dataFlag('the CSV to validate'),
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
      ...CSV_LIMIT_FLAGS,
    },
    HELP,
  );
  const paramsFile = flags.params ?? 'params.yaml';
  const csvLimits = csvLimitsFromFlags(flags);
  const { params, contract } = await loadStageConfig(paramsFile);
  const data = flags.data ?? params.data.path;
  // An unusable reference fails the validation; only a first run skips drift.
  const reference = await resolveDriftReference({
    given:
      flags.reference === undefined ? undefined : { path: flags.reference, from: '--reference' },
    configured: { path: params.validate.reference, from: `${paramsFile} validate.reference` },
    columns: contract.columns,
  });
  const report = await validateCsv(data, {
    contract,
    drift: params.validate.drift,
    referenceInfo: reference.info,
    reference: reference.profile,
    csvLimits,
  });
  if (flags.report) await writeJsonAtomic(flags.report, report);
  process.stdout.write(`${formatValidationSummary(report)}\n`);
  return report.status === 'fail' ? 1 : 0;
});
