import { describe, expect, it, beforeAll } from 'vitest';
import { loadContract, type CompiledContract } from '../src/contract/contract.ts';
import { loadDataset, takeRows, type Dataset } from '../src/data/rows.ts';
import { splitRows } from '../src/data/split.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { fitLinear } from '../src/models/linear.ts';
import { predict, type TrainedModel } from '../src/models/model.ts';
import { exportOnnx } from '../src/onnx/export.ts';
import { createSession, feedsFromDataset, runSession } from '../src/onnx/session.ts';
import { loadParams } from '../src/params/params.ts';
import { trainModels } from '../src/train/train.ts';
import { silentLogger } from '@housing/core/logger';
import { CONTRACT, HOUSING_CSV, ROOT } from './helpers.ts';
import { join } from 'node:path';

let contract: CompiledContract;
let data: Dataset;

beforeAll(async () => {
  contract = await loadContract(CONTRACT);
  data = await loadDataset(HOUSING_CSV, contract);
});

/** Largest |onnx - memory| / |memory| over the rows. */
async function parity(trained: TrainedModel, rows: Dataset): Promise<number> {
  const session = await createSession(exportOnnx(trained));
  const viaOnnx = await runSession(session, feedsFromDataset(session, rows));
  const inMemory = predict(trained.model, transformFeatures(trained.features, rows));
  let worst = 0;
  for (let i = 0; i < rows.rows; i++)
    worst = Math.max(worst, Math.abs(viaOnnx[i]! - inMemory[i]!) / Math.abs(inMemory[i]!));
  return worst;
}

describe('ONNX export in a real onnxruntime session', () => {
  it('matches the in-memory GBDT and linear models on the whole test set within 1e-4 relative', async () => {
    const split = splitRows(data, 42, 0.2, 0.1);
    const train = takeRows(data, split.train);
    const test = takeRows(data, split.test);
    const features = fitFeatureSpec(train, contract.columns);
    const x = transformFeatures(features, train);
    const y = train.numeric.median_house_value!;
    const gbdt = fitGbdt(
      x,
      y,
      { x: [], y: new Float64Array(0) },
      {
        learning_rate: 0.2,
        max_rounds: 40,
        max_leaves: 31,
        max_depth: 0,
        min_samples_leaf: 20,
        l2: 1,
        max_bins: 255,
        early_stopping_rounds: 10,
        min_gain: 0,
      },
    ).model;
    expect(await parity({ features, model: gbdt }, test)).toBeLessThan(1e-4);
    expect(await parity({ features, model: fitLinear(x, y, { l2: 1 }) }, test)).toBeLessThan(1e-4);
  });

  it('takes raw columns by name and imputes a missing total_bedrooms inside the graph', async () => {
    const split = splitRows(data, 1, 0.2, 0.1);
    const train = takeRows(data, split.train);
    const features = fitFeatureSpec(train, contract.columns);
    const trained: TrainedModel = {
      features,
      model: fitLinear(transformFeatures(features, train), train.numeric.median_house_value!, {
        l2: 1,
      }),
    };
    const session = await createSession(exportOnnx(trained));
    expect([...session.inputNames].sort()).toEqual(contract.columns.features.slice().sort());
    expect(session.outputNames).toEqual(['prediction']);
    const row = takeRows(data, [0, 0]);
    row.numeric.total_bedrooms![1] = NaN;
    const out = await runSession(session, feedsFromDataset(session, row));
    const imputed = takeRows(data, [0]);
    imputed.numeric.total_bedrooms![0] = features.stats.total_bedrooms!.median;
    const expected = predict(trained.model, transformFeatures(features, imputed))[0]!;
    expect(Math.abs(out[1]! - expected) / expected).toBeLessThan(1e-6);
    expect(out[1]).not.toBe(out[0]);
  });

  it('trains deterministically: the same seed exports the same bytes', async () => {
    const params = await loadParams(join(ROOT, 'params.yaml'));
    params.gbdt.max_rounds = 30;
    const a = exportOnnx(trainModels(data, contract.columns, params, silentLogger).trained);
    const b = exportOnnx(trainModels(data, contract.columns, params, silentLogger).trained);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    params.seed = 43;
    const c = exportOnnx(trainModels(data, contract.columns, params, silentLogger).trained);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
});
