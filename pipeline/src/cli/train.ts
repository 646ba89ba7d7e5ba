import { join } from 'node:path';
import { loadDataset } from '../data/rows.ts';
import { exportOnnx } from '../onnx/export.ts';
import { trainModels } from '../train/train.ts';
import { numberFlag, parseFlags } from '../util/args.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { createCliLogger } from '../util/logger.ts';
import { loadStageConfig } from './common.ts';
import { CSV_LIMIT_FLAGS, CSV_LIMIT_USAGE, csvLimitsFromFlags } from './csv-flags.ts';
import { runCli } from './run-cli.ts';

const USAGE = `npm run train -- [--data <csv>] [--out <dir>] [--plots <csv>] [--seed <n>] [--test-size <share>] [--params params.yaml] ${CSV_LIMIT_USAGE}`;

/**
 * Trains on any CSV with the contract's columns and writes <out>/model.onnx,
 * <out>/model.json (the in-memory model) and <out>/training.json.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      plots: { type: 'string' },
      seed: { type: 'string' },
      'test-size': { type: 'string' },
      params: { type: 'string' },
      ...CSV_LIMIT_FLAGS,
    },
    USAGE,
  );
  const csvLimits = csvLimitsFromFlags(flags);
  const logger = createCliLogger('train');
  const { params, contract } = await loadStageConfig(flags.params);
  params.seed = numberFlag(flags.seed, 'seed') ?? params.seed;
  params.split.test_size = numberFlag(flags['test-size'], 'test-size') ?? params.split.test_size;
  const dataPath = flags.data ?? params.data.path;
  const out = flags.out ?? 'artifacts';

  const data = await loadDataset(dataPath, contract, csvLimits);
  logger.info(`loaded ${data.rows} rows from ${dataPath}`);
  const { trained, report } = trainModels(data, contract.columns, params, logger);
  const onnx = exportOnnx(trained, { model_type: trained.model.kind });
  await writeFileAtomic(join(out, 'model.onnx'), onnx);
  await writeJsonAtomic(join(out, 'model.json'), trained);
  await writeJsonAtomic(join(out, 'training.json'), { params, data: dataPath, ...report });
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
