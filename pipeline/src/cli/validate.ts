import { resolveDriftReference } from '../drift/reference.ts';
import { validateCsv } from '../validate/validate.ts';
import { formatValidationSummary } from '../validate/summary.ts';
import { parseFlags } from '../util/args.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { loadStageConfig } from './common.ts';
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
