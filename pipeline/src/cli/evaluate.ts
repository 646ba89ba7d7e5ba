import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModelCard } from '@housing/model-card/read';
import type { ModelCard, ModelMetrics } from '@housing/model-card/schema';
import { buildModelCard, type TrainingRecord } from '../card/build-card.ts';
import { FIT_SECONDS_FILE, type FitSeconds } from '../train/train.ts';
import { dataProvenance } from '../card/provenance.ts';
import type { CompiledContract } from '../contract/contract.ts';
import { loadDataset, type Dataset } from '../data/rows.ts';
import { heldOutTestRows } from '../data/split.ts';
import { transformFeatures } from '../features/features.ts';
import { regressionMetrics } from '../models/metrics.ts';
import { predict } from '../models/model.ts';
import { readTrainedModel } from '../models/trained-model.ts';
import { createSession, feedsFromDataset, runSession, SCORING_THREADS } from '../onnx/session.ts';
import { PARAMS_FLAG, parseFlags, type CommandHelp } from '@housing/core/args';
import { writeJsonAtomic } from '@housing/core/atomic';
import { ConfigurationError } from '@housing/core/errors';
import { gitSha } from '../util/git.ts';
import { createCliLogger } from '@housing/core/logger';
import { loadStageConfig, readStageJson } from '../params/stage-config.ts';
import { CSV_LIMIT_FLAGS, csvLimitsFromFlags } from './csv-flags.ts';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm run evaluate',
  summary:
    'Scores the trained model on the held-out test rows through onnxruntime, checks the ONNX\ngraph against the in-memory model, and writes the metrics and <model-dir>/model.card.json.',
};
/** onnxruntime must reproduce the in-memory model to this relative error. */
const PARITY_TOLERANCE = 1e-4;

/**
 * Scores the trained model on the held-out test rows through onnxruntime,
 * proves the ONNX graph matches the in-memory model, and writes the metrics
 * and the model card.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      'model-dir': {
        type: 'string',
        value: '<dir>',
        description: "the train stage's output folder",
        defaultText: 'artifacts',
      },
      'test-data': {
        type: 'string',
        value: '<csv>',
        description: 'score on this whole CSV instead of the test split of the training data',
        defaultText: 'the test split',
      },
      metrics: {
        type: 'string',
        value: '<json>',
        description: 'where to write the metrics',
        defaultText: 'reports/metrics.json',
      },
      params: PARAMS_FLAG,
      ...CSV_LIMIT_FLAGS,
    },
    HELP,
  );
  const csvLimits = csvLimitsFromFlags(flags);
  const logger = createCliLogger('evaluate');
  const dir = flags['model-dir'] ?? 'artifacts';
  const { contract } = await loadStageConfig(flags.params);
  const trained = await readTrainedModel(join(dir, 'model.json'), 'the train stage');
  const training = await readStageJson<TrainingRecord>(
    join(dir, 'training.json'),
    'the train stage',
  );
  const fitSeconds = await readFitSeconds(join(dir, FIT_SECONDS_FILE));
  const onnxPath = join(dir, 'model.onnx');
  const onnxBytes = await readFile(onnxPath).catch(() => {
    throw new ConfigurationError('cannot read the ONNX model; the train stage writes it', onnxPath);
  });

  const source = flags['test-data'] ?? training.data;
  const data = await loadDataset(source, contract, csvLimits);
  const test = flags['test-data'] ? data : heldOutRows(data, training);
  const inMemory = predict(trained.model, transformFeatures(trained.features, test));
  const { metrics, parity } = await scoreThroughOnnx(
    onnxBytes,
    onnxPath,
    test,
    inMemory,
    contract,
    training,
  );

  const { train, validation, test: held } = training.rows;
  // `data` is what the model was trained on, whichever rows it is scored on.
  const trainingData = await dataProvenance(training.data, train + validation + held);
  const cardPath = join(dir, 'model.card.json');
  // Checked as every reader checks it: a card the service or an action would refuse is not written.
  const card = parseModelCard(
    buildModelCard({
      trained,
      training,
      fitSeconds,
      contract,
      metrics,
      onnxBytes,
      trainingData,
      evaluationData: flags['test-data']
        ? { ...(await dataProvenance(source, test.rows)), split: 'all' }
        : { ...trainingData, rows: test.rows, split: 'test' },
      gitSha: gitSha(),
      createdAt: new Date(),
    }),
    cardPath,
  );
  const metricsPath = flags.metrics ?? 'reports/metrics.json';
  await writeMetricsAndCard(metricsPath, cardPath, card);
  logger.info(
    `test RMSE ${metrics.rmse.toFixed(0)}, MAE ${metrics.mae.toFixed(0)}, R² ${metrics.r2.toFixed(4)} on ${test.rows} rows; ONNX parity ${parity.toExponential(2)}`,
  );
  logger.info(`wrote ${metricsPath} and ${cardPath} (model ${card.model_version})`);
  return 0;
});

/** The training file's held-out test split, as the train stage drew it from the seed. */
function heldOutRows(data: Dataset, training: TrainingRecord): Dataset {
  const test = heldOutTestRows(data, training.params.seed, training.params.split);
  if (test.rows === 0)
    throw new ConfigurationError(
      'no test rows: pass --test-data or set split.test_size > 0',
      'params.yaml',
    );
  return test;
}

/**
 * Scores the test rows through onnxruntime, proves the graph reproduces the
 * in-memory predictions to {@link PARITY_TOLERANCE}, and times a batch of
 * them (the median of five runs).
 */
async function scoreThroughOnnx(
  onnxBytes: Buffer,
  onnxPath: string,
  test: Dataset,
  inMemory: Float64Array,
  contract: CompiledContract,
  training: TrainingRecord,
): Promise<{ metrics: ModelMetrics; parity: number }> {
  // The metrics committed with dvc.lock must not depend on the machine's core count.
  const session = await createSession(onnxBytes, SCORING_THREADS);
  const feeds = feedsFromDataset(session, test);
  const viaOnnx = await runSession(session, feeds);
  let parity = 0;
  for (let i = 0; i < test.rows; i++) {
    parity = Math.max(
      parity,
      Math.abs(viaOnnx[i]! - inMemory[i]!) / Math.max(Math.abs(inMemory[i]!), 1e-12),
    );
  }
  if (!(parity <= PARITY_TOLERANCE)) {
    throw new ConfigurationError(
      `ONNX parity failed: onnxruntime differs from the in-memory model by ${parity.toExponential(2)} relative (limit ${PARITY_TOLERANCE})`,
      onnxPath,
    );
  }
  const timings: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await runSession(session, feeds);
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const metrics: ModelMetrics = {
    ...regressionMetrics(viaOnnx, test.numeric[contract.columns.target]!),
    validation: training.candidates.find((c) => c.kind === training.selected)!.validation,
    rows_test: test.rows,
    inference_ms_per_row: timings[2]! / test.rows,
    model_size_bytes: onnxBytes.length,
    onnx_parity_max_relative_error: parity,
  };
  return { metrics, parity };
}

/** The train stage's fit-seconds.json: a number of seconds per candidate. */
async function readFitSeconds(file: string): Promise<FitSeconds> {
  const times = await readStageJson<Partial<Record<keyof FitSeconds, unknown>>>(
    file,
    'the train stage',
  );
  for (const kind of ['linear', 'gbdt'] as const)
    if (typeof times[kind] !== 'number' || !Number.isFinite(times[kind]))
      throw new ConfigurationError(`'${kind}' must be a number of seconds`, file);
  return times as FitSeconds;
}

/**
 * reports/metrics.json (the gate's candidate) and the card beside the model.
 * The metrics file is committed with dvc.lock, so it holds only what the same
 * inputs reproduce: the inference time, measured on the clock, is the card's alone.
 */
async function writeMetricsAndCard(
  metricsPath: string,
  cardPath: string,
  card: ModelCard,
): Promise<void> {
  const { inference_ms_per_row: _measured, ...reproducible } = card.metrics;
  await writeJsonAtomic(metricsPath, { model_version: card.model_version, ...reproducible });
  await writeJsonAtomic(cardPath, card);
}
