import { join } from 'node:path';
import { loadDataset } from '../data/rows.ts';
import { exportOnnx } from '../onnx/export.ts';
import { FIT_SECONDS_FILE, trainModels } from '../train/train.ts';
import { checkParamFlag, SEED_SCHEMA, TEST_SIZE_SCHEMA } from '../params/params.ts';
import { numberFlag, PARAMS_FLAG, parseFlags, type CommandHelp } from '@housing/core/args';
import { writeFileAtomic, writeJsonAtomic } from '@housing/core/atomic';
import { createCliLogger } from '@housing/core/logger';
import { loadStageConfig } from '../params/stage-config.ts';
import { CSV_LIMIT_FLAGS, csvLimitsFromFlags, dataFlag } from './csv-flags.ts';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm run train',
  summary:
    "Trains the ridge baseline and the GBDT on a CSV with the contract's columns, keeps the better\non the validation split and writes <out>/model.onnx, model.json, training.json and\nfit-seconds.json (how long each fit took, apart so that training.json is the same every run).",
};

/**
 * Trains on any CSV with the contract's columns and writes <out>/model.onnx,
 * <out>/model.json (the in-memory model), <out>/training.json and
 * <out>/fit-seconds.json (the wall-clock times, which no DVC output holds).
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      data: dataFlag('the training CSV'),
      out: {
        type: 'string',
        value: '<dir>',
        description: 'the folder the model files are written to',
        defaultText: 'artifacts',
      },
      plots: {
        type: 'string',
        value: '<csv>',
        description: 'also write the loss by boosting round here',
        defaultText: 'none',
      },
      seed: {
        type: 'string',
        value: '<n>',
        description: 'the seed of the split',
        defaultText: 'params.yaml seed',
      },
      'test-size': {
        type: 'string',
        value: '<share>',
        description: 'the share of rows held out for testing (0 trains on all but validation)',
        defaultText: 'params.yaml split.test_size',
      },
      params: PARAMS_FLAG,
      ...CSV_LIMIT_FLAGS,
    },
    HELP,
  );
  const csvLimits = csvLimitsFromFlags(flags);
  const logger = createCliLogger('train');
  const { params, contract } = await loadStageConfig(flags.params);
  // Overrides obey params.yaml's schema: the card records them as the model's provenance.
  const override = (flag: 'seed' | 'test-size', schema: object, fallback: number) => {
    const value = numberFlag(flags[flag], flag);
    return value === undefined ? fallback : checkParamFlag(value, schema, flag);
  };
  params.seed = override('seed', SEED_SCHEMA, params.seed);
  params.split.test_size = override('test-size', TEST_SIZE_SCHEMA, params.split.test_size);
  const dataPath = flags.data ?? params.data.path;
  const out = flags.out ?? 'artifacts';

  const data = await loadDataset(dataPath, contract, csvLimits);
  logger.info(`loaded ${data.rows} rows from ${dataPath}`);
  const { trained, report, fitSeconds } = trainModels(data, contract.columns, params, logger);
  const onnx = exportOnnx(trained, { model_type: trained.model.kind });
  await writeFileAtomic(join(out, 'model.onnx'), onnx);
  await writeJsonAtomic(join(out, 'model.json'), trained);
  await writeJsonAtomic(join(out, 'training.json'), { params, data: dataPath, ...report });
  await writeJsonAtomic(join(out, FIT_SECONDS_FILE), fitSeconds);
  if (flags.plots) {
    const rows = report.gbdt.history.map(
      (h) => `${h.round},${h.train_rmse.toFixed(2)},${h.validation_rmse.toFixed(2)}`,
    );
    await writeFileAtomic(flags.plots, `round,train_rmse,validation_rmse\n${rows.join('\n')}\n`);
  }
  logger.info(
    `selected ${report.selected}; wrote ${join(out, 'model.onnx')} (${onnx.length} bytes)`,
  );
  return 0;
});
