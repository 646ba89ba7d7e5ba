import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  housingRows,
  post,
  removeDir,
  startService,
  trainModel,
  type ServiceProcess,
} from '@housing/test-support/service';
import type { Dataset } from '../src/data/rows.ts';
import { splitRows } from '../src/data/split.ts';
import { transformFeatures } from '../src/features/features.ts';
import { predict, type TrainedModel } from '../src/models/model.ts';

/**
 * The pipeline's in-memory model and the service's onnxruntime session must
 * agree on every test row. Moved here from service/test/service.test.ts: it
 * needs the pipeline's code, and the service does not depend on the pipeline.
 */
type Row = Record<string, number | string | null>;
let modelDir: string;
let service: ServiceProcess;
let rows: Row[];
const withoutTarget = ({ median_house_value: _y, ...row }: Row) => row;

beforeAll(async () => {
  modelDir = await trainModel();
  rows = (await housingRows()).rows;
  service = await startService(modelDir);
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await removeDir(modelDir);
});

/** Request rows held by column, as the pipeline holds a CSV (null is NaN). */
function datasetOf(batch: Row[], numericColumns: string[], categoricalColumns: string[]): Dataset {
  return {
    rows: batch.length,
    numeric: Object.fromEntries(
      numericColumns.map((c) => [
        c,
        Float64Array.from(batch, (r) => (r[c] === null ? NaN : (r[c] as number))),
      ]),
    ),
    categorical: Object.fromEntries(
      categoricalColumns.map((c) => [c, batch.map((r) => r[c] as string)]),
    ),
    lines: new Uint32Array(batch.length),
  };
}

/** In-memory predictions of the pipeline's model for request rows. */
function pipelinePredictions(trained: TrainedModel, batch: Row[]): Float64Array {
  const data = datasetOf(
    batch,
    trained.features.numeric,
    trained.features.categorical.map(({ name }) => name),
  );
  return predict(trained.model, transformFeatures(trained.features, data));
}

describe('the service, as a child process, with a model from the pipeline', () => {
  it("predicts the pipeline's test split exactly as the pipeline does", async () => {
    const trained = JSON.parse(
      await readFile(join(modelDir, 'model.json'), 'utf8'),
    ) as TrainedModel;
    const training = JSON.parse(await readFile(join(modelDir, 'training.json'), 'utf8')) as {
      params: { seed: number; split: { test_size: number; validation_size: number } };
    };
    const { seed, split } = training.params;
    // The split hashes every value of a row, the target included, as the CSV holds it.
    const all = datasetOf(
      rows,
      Object.keys(rows[0]!).filter((c) => c !== 'ocean_proximity'),
      ['ocean_proximity'],
    );
    const test = Array.from(
      splitRows(all, seed, split.test_size, split.validation_size).test,
      (i) => withoutTarget(rows[i]!),
    );
    const expected = pipelinePredictions(trained, test);
    const served: number[] = [];
    for (let i = 0; i < test.length; i += 1000) {
      const res = await post(`${service.url}/v1/predict/batch`, {
        instances: test.slice(i, i + 1000),
      });
      expect(res.status).toBe(200);
      served.push(...res.body.predictions!);
    }
    expect(served).toHaveLength(test.length);
    const worst = Math.max(
      ...served.map((p, i) => Math.abs(p - expected[i]!) / Math.abs(expected[i]!)),
    );
    expect(worst).toBeLessThan(1e-4);
    const single = await post(`${service.url}/v1/predict`, test[0]);
    expect(single.body.prediction).toBe(served[0]);
    expect(single.body.model_version).toMatch(/^gbdt-[0-9a-f]{12}$/);
    expect(single.body.request_id).toMatch(/[0-9a-f-]{36}/);
  });
});
