import { existsSync } from 'node:fs';
import { readMetricsOrCard } from '@housing/model-card/metrics';
import { evaluateGate, formatGateTable } from '../gate/gate.ts';
import { loadParams } from '../params/params.ts';
import { PARAMS_FLAG, parseFlags, type CommandHelp } from '@housing/core/args';
import { writeJsonAtomic } from '@housing/core/atomic';
import { createCliLogger } from '@housing/core/logger';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm run gate',
  summary:
    "Gates the candidate's metrics against the production baseline (params.yaml gate.metrics),\nprints a side-by-side table and writes the report. Exit 0 pass, 1 fail, 2 bad input.",
};

/** Gates the candidate's metrics against the production baseline; exit 1 when it fails. */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      candidate: {
        type: 'string',
        value: '<json>',
        description: "the candidate's metrics.json or model card",
        defaultText: 'reports/metrics.json',
      },
      baseline: {
        type: 'string',
        value: '<json>',
        description: 'the model card or metrics.json to gate against; must exist when given',
        defaultText: 'params.yaml gate.baseline, when present; else absolute limits only',
      },
      report: {
        type: 'string',
        value: '<json>',
        description: 'where to write the gate result',
        defaultText: 'reports/gate.json',
      },
      params: PARAMS_FLAG,
    },
    HELP,
  );
  const logger = createCliLogger('gate');
  const params = await loadParams(flags.params);
  const candidate = await readMetricsOrCard(flags.candidate ?? 'reports/metrics.json');
  // An explicit --baseline must exist; the default one is absent until a first model is promoted.
  const baselinePath = flags.baseline ?? params.gate.baseline;
  const useBaseline = flags.baseline !== undefined || existsSync(baselinePath);
  if (!useBaseline) logger.info(`no baseline at ${baselinePath}: gating on absolute limits only`);
  const baseline = useBaseline ? await readMetricsOrCard(baselinePath) : undefined;
  const result = evaluateGate(
    candidate,
    baseline,
    params.gate.metrics,
    useBaseline ? baselinePath : null,
  );
  await writeJsonAtomic(flags.report ?? 'reports/gate.json', result);
  process.stdout.write(`${formatGateTable(result)}\n`);
  return result.passed ? 0 : 1;
});
