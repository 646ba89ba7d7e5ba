import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import { loadModel, type LoadedModel } from '../src/model/load-model.ts';
import { graphSpec, toColumns, type GraphSpec } from '../src/model/onnx-session.ts';
import { WorkerSession } from '../src/model/worker-session.ts';
import { housingRows, removeDir, trainModel } from '@housing/test-support/service';

type Row = Record<string, number | string | null>;
let modelDir: string;
let model: LoadedModel;
let spec: GraphSpec;
let bytes: Buffer;
let rows: Row[];

beforeAll(async () => {
  modelDir = await trainModel();
  model = await loadModel(modelDir);
  spec = graphSpec(await readModelCard(join(modelDir, 'model.card.json')));
  bytes = await readFile(join(modelDir, 'model.onnx'));
  rows = (await housingRows()).rows
    .filter((_, i) => i % 17 === 0)
    .slice(0, 1000)
    .map(({ median_house_value: _y, ...row }) => row);
}, 120_000);

afterAll(async () => {
  model?.retire();
  await removeDir(modelDir);
});

describe('the inference worker thread, with a real onnxruntime session', () => {
  it('predicts a large batch exactly as the event-loop session predicts its slices', async () => {
    const onWorker = await model.predict(rows); // 1,000 rows: the worker
    const onLoop: number[] = [];
    for (let i = 0; i < rows.length; i += 100)
      onLoop.push(...(await model.predict(rows.slice(i, i + 100)))); // 100 rows: the event loop
    expect(Array.from(onWorker)).toEqual(onLoop);
  });

  it('answers the runs in flight when retired, then stops and refuses new ones', async () => {
    const crashes: string[] = [];
    const session = await WorkerSession.start(bytes, spec, (reason) => crashes.push(reason));
    const inFlight = [session.run(toColumns(rows, spec)), session.run(toColumns(rows, spec))];
    session.retire();
    const [first, second] = await Promise.all(inFlight);
    expect(first).toHaveLength(rows.length);
    expect(Array.from(second!)).toEqual(Array.from(first!));
    await expect.poll(() => session.alive).toBe(false);
    await expect(session.run(toColumns(rows.slice(0, 1), spec))).rejects.toThrow(
      'the inference worker has stopped',
    );
    expect(crashes, 'a retirement is not a crash').toEqual([]);
  });

  it('fails to start with the reason when onnxruntime cannot load the bytes', async () => {
    await expect(
      WorkerSession.start(new TextEncoder().encode('not an onnx graph'), spec),
    ).rejects.toThrow(/protobuf|parsing|load/i);
  });
});
