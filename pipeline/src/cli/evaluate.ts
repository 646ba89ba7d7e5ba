import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  inputContract,
  modelVersionOf,
  onnxSha256,
  type ModelCard,
  type ModelMetrics,
} from '../card/card.ts';
import { dataProvenance } from '../card/provenance.ts';
import { loadDataset, takeRows } from '../data/rows.ts';
import { splitRows } from '../data/split.ts';
import { transformFeatures } from '../features/features.ts';
import { regressionMetrics } from '../models/metrics.ts';
import { predict, type TrainedModel } from '../models/model.ts';
import { onnxInputs, OUTPUT_NAME } from '../onnx/export.ts';
import { createSession, feedsFromDataset, runSession } from '../onnx/session.ts';
import type { TrainingReport } from '../train/train.ts';
import type { Params } from '../params/params.ts';
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
  const trained = await readStageJson<TrainedModel>(join(dir, 'model.json'), 'the train stage');
  const training = await readStageJson<TrainingReport & { params: Params; data: string }>(
    join(dir, 'training.json'),
    'the train stage',
  );
  const params = training.params;
  const onnxPath = join(dir, 'model.onnx');
  const onnxBytes = await readFile(onnxPath).catch(() => {
    throw new ConfigurationError('cannot read the ONNX model; the train stage writes it', onnxPath);
  });

  const source = flags['test-data'] ?? training.data;
  const data = await loadDataset(source, contract, csvLimits);
  const test = flags['test-data']
    ? data
    : takeRows(
        data,
        splitRows(data, params.seed, params.split.test_size, params.split.validation_size)
          .test,
      );
  if (test.rows === 0)
    throw new ConfigurationError(
      'no test rows: pass --test-data or set split.test_size > 0',
      'params.yaml',
    );
  const y = test.numeric[contract.columns.target]!;

  const inMemory = predict(trained.model, transformFeatures(trained.features, test));
  const session = await createSession(onnxBytes);
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
    ...regressionMetrics(viaOnnx, y),
    validation: training.candidates.find((c) => c.kind === training.selected)!.validation,
    rows_test: test.rows,
    inference_ms_per_row: timings[2]! / test.rows,
    model_size_bytes: onnxBytes.length,
    onnx_parity_max_relative_error: parity,
  };

  const sha256 = onnxSha256(onnxBytes);
  const { train, validation, test: held } = training.rows;
  // `data` is what the model was trained on, whichever rows it is scored on.
  const trainingData = await dataProvenance(training.data, train + validation + held);
  const card: ModelCard = {
    schema_version: 1,
    model_version: modelVersionOf(trained.model.kind, sha256),
    model_type: trained.model.kind,
    created_at: new Date().toISOString(),
    git_sha: gitSha(),
    data: trainingData,
    evaluation_data: flags['test-data']
      ? { ...(await dataProvenance(source, test.rows)), split: 'all' }
      : { ...trainingData, rows: test.rows, split: 'test' },
    params,
    metrics,
    training: {
      rows: training.rows,
      selected: training.selected,
      candidates: training.candidates,
      gbdt: { best_round: training.gbdt.best_round, rounds_run: training.gbdt.rounds_run },
      feature_importance: training.feature_importance,
    },
    input_contract: inputContract(contract.contract.row, contract.columns.target),
    onnx: {
      file: 'model.onnx',
      sha256,
      inputs: onnxInputs(trained.features),
      output: OUTPUT_NAME,
      feature_names: trained.features.names,
    },
    target: contract.columns.target,
    reference_profile: training.reference_profile,
  };
  const metricsPath = flags.metrics ?? 'reports/metrics.json';
  await writeJsonAtomic(metricsPath, { model_version: card.model_version, ...metrics });
  await writeJsonAtomic(join(dir, 'model.card.json'), card);
  logger.info(
    `test RMSE ${metrics.rmse.toFixed(0)}, MAE ${metrics.mae.toFixed(0)}, R² ${metrics.r2.toFixed(4)} on ${test.rows} rows; ONNX parity ${parity.toExponential(2)}`,
  );
  logger.info(
    `wrote ${metricsPath} and ${join(dir, 'model.card.json')} (model ${card.model_version})`,
  );
  return 0;
});
