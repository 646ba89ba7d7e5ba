import { existsSync } from 'node:fs';
import { readMetricsOrCard } from '@housing/model-card/metrics';
import { loadContract } from '../contract/contract.ts';
import { evaluateGate, formatGateTable } from '../gate/gate.ts';
import { headToHead, headToHeadRows, type GateReport } from '../gate/head-to-head.ts';
import { loadParams } from '../params/params.ts';
import { PARAMS_FLAG, parseFlags, type CommandHelp } from '@housing/core/args';
import { writeJsonAtomic } from '@housing/core/atomic';
import { ConfigurationError } from '@housing/core/errors';
import { createCliLogger } from '@housing/core/logger';
import { runCli } from '@housing/core/run-cli';
import { CSV_LIMIT_FLAGS, csvLimitsFromFlags } from './csv-flags.ts';

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
      'head-to-head': {
        type: 'boolean',
        description:
          "score the baseline and the candidate (both model cards, each with its graph) on the candidate's own test rows, and gate on those scores instead of the recorded ones",
      },
      'candidate-model': {
        type: 'string',
        value: '<onnx>',
        description: "the candidate's graph, with --head-to-head",
        defaultText: 'model.onnx beside the candidate card',
      },
      'baseline-model': {
        type: 'string',
        value: '<onnx>',
        description: "the baseline's graph, with --head-to-head",
        defaultText: 'model.onnx beside the baseline card',
      },
      report: {
        type: 'string',
        value: '<json>',
        description: 'where to write the gate result',
        defaultText: 'reports/gate.json',
      },
      params: PARAMS_FLAG,
      ...CSV_LIMIT_FLAGS,
    },
    HELP,
  );
  const logger = createCliLogger('gate');
  const params = await loadParams(flags.params);
  const candidatePath = flags.candidate ?? 'reports/metrics.json';
  let candidate = await readMetricsOrCard(candidatePath);
  // An explicit --baseline must exist; the default one is absent until a first model is promoted.
  const baselinePath = flags.baseline ?? params.gate.baseline;
  const useBaseline = flags.baseline !== undefined || existsSync(baselinePath);
  if (!useBaseline) logger.info(`no baseline at ${baselinePath}: gating on absolute limits only`);
  let baseline = useBaseline ? await readMetricsOrCard(baselinePath) : undefined;
  for (const flag of ['candidate-model', 'baseline-model'] as const)
    if (flags[flag] !== undefined && !flags['head-to-head'])
      throw new ConfigurationError('applies only with --head-to-head', `--${flag}`);

  let duel: GateReport['head_to_head'];
  if (flags['head-to-head'] && baseline !== undefined) {
    duel = await headToHead({
      candidate: { card: candidatePath, onnx: flags['candidate-model'] },
      baseline: { card: baselinePath, onnx: flags['baseline-model'] },
      contract: await loadContract(params.data.contract),
      limits: csvLimitsFromFlags(flags),
    });
    // The scores on the shared rows replace the recorded ones; any other gated metric stays as recorded.
    const scores = ({ rmse, mae, r2 }: { rmse: number; mae: number; r2: number }) => ({
      rmse,
      mae,
      r2,
    });
    candidate = { ...candidate, ...scores(duel.candidate) };
    baseline = { ...baseline, ...scores(duel.baseline) };
    logger.info(
      `scored ${duel.baseline.model_version} and ${duel.candidate.model_version} on ${headToHeadRows(duel)}`,
    );
  }
  const result = evaluateGate(
    candidate,
    baseline,
    params.gate.metrics,
    useBaseline ? baselinePath : null,
  );
  const report: GateReport = duel ? { ...result, head_to_head: duel } : result;
  await writeJsonAtomic(flags.report ?? 'reports/gate.json', report);
  process.stdout.write(`${formatGateTable(result)}\n`);
  return result.passed ? 0 : 1;
});
