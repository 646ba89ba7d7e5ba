import { existsSync } from 'node:fs';
import { readMetricsOrCard } from '../card/card.ts';
import { evaluateGate, formatGateTable } from '../gate/gate.ts';
import { loadParams } from '../params/params.ts';
import { parseFlags } from '../util/args.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { createCliLogger } from '../util/logger.ts';
import { runCli } from './run-cli.ts';

const USAGE =
  'npm run gate -- [--candidate reports/metrics.json] [--baseline <card or metrics.json>] [--report reports/gate.json]';

/** Gates the candidate's metrics against the production baseline; exit 1 when it fails. */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      candidate: { type: 'string' },
      baseline: { type: 'string' },
      report: { type: 'string' },
      params: { type: 'string' },
    },
    USAGE,
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
