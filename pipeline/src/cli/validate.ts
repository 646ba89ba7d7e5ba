import { validateCsv } from '../validate/validate.ts';
import { formatValidationSummary } from '../validate/summary.ts';
import { parseFlags } from '../util/args.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { createCliLogger } from '../util/logger.ts';
import { loadStageConfig, readCardIfPresent } from './common.ts';
import { CSV_LIMIT_FLAGS, CSV_LIMIT_USAGE, csvLimitsFromFlags } from './csv-flags.ts';
import { runCli } from './run-cli.ts';

const USAGE = `npm run validate -- [--data <csv>] [--reference <model.card.json>] [--report <json>] [--params params.yaml] ${CSV_LIMIT_USAGE}`;

/** Validates a CSV against the data contract; exits 1 when validation fails. */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      data: { type: 'string' },
      reference: { type: 'string' },
      report: { type: 'string' },
      params: { type: 'string' },
      ...CSV_LIMIT_FLAGS,
    },
    USAGE,
  );
  const csvLimits = csvLimitsFromFlags(flags);
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
    csvLimits,
    ...(card ? { reference: card.reference_profile } : {}),
  });
  if (flags.report) await writeJsonAtomic(flags.report, report);
  process.stdout.write(`${formatValidationSummary(report)}\n`);
  return report.status === 'fail' ? 1 : 0;
});
