import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { modelVersionOf, onnxSha256 } from '@housing/model-card/identity';
import { parseModelCard, readModelCard } from '@housing/model-card/read';
import { removeDir, trainModel } from '@housing/test-support/service';
import { buildModelCard, type CardSources, type TrainingRecord } from '../src/card/build-card.ts';
import { loadContract } from '../src/contract/contract.ts';
import { readTrainedModel } from '../src/models/trained-model.ts';
import { FIT_SECONDS_FILE, type FitSeconds } from '../src/train/train.ts';
import { CONTRACT, tempDir } from './helpers.ts';

let dir: string;
let sources: CardSources;

beforeAll(async () => {
  dir = await trainModel();
  const training = JSON.parse(await readFile(join(dir, 'training.json'), 'utf8')) as TrainingRecord;
  const trainingData = { dvc_file: '', md5: 'f'.repeat(32), path: training.data, rows: 20640 };
  sources = {
    trained: await readTrainedModel(join(dir, 'model.json'), 'the train stage'),
    training,
    fitSeconds: JSON.parse(await readFile(join(dir, FIT_SECONDS_FILE), 'utf8')) as FitSeconds,
    contract: await loadContract(CONTRACT),
    metrics: (await readModelCard(join(dir, 'model.card.json'))).metrics,
    onnxBytes: await readFile(join(dir, 'model.onnx')),
    trainingData,
    evaluationData: { ...trainingData, rows: 4128, split: 'test' },
    gitSha: 'a'.repeat(40),
    createdAt: new Date('2026-11-20T12:00:00Z'),
  };
}, 120_000);
afterAll(() => removeDir(dir));

describe('buildModelCard', () => {
  it('assembles a card every reader accepts', () => {
    const card = buildModelCard(sources);
    expect(parseModelCard(card, 'built')).toBe(card);
  });

  it("derives the version from the ONNX bytes and records the graph's interface", () => {
    const card = buildModelCard(sources);
    const sha256 = onnxSha256(sources.onnxBytes);
    expect(card.onnx.sha256).toBe(sha256);
    expect(card.model_version).toBe(modelVersionOf(sources.trained.model.kind, sha256));
    expect(card.model_type).toBe(sources.trained.model.kind);
    expect(card.onnx.inputs.map((i) => i.name).sort()).toEqual(
      sources.contract.columns.features.slice().sort(),
    );
    expect(card.onnx.feature_names).toEqual(sources.trained.features.names);
    expect(card.onnx.output).toBe('prediction');
  });

  it('records what it was given, as given', () => {
    const card = buildModelCard(sources);
    expect(card.created_at).toBe('2026-11-20T12:00:00.000Z');
    expect(card.git_sha).toBe(sources.gitSha);
    expect(card.data).toBe(sources.trainingData);
    expect(card.evaluation_data).toBe(sources.evaluationData);
    expect(card.metrics).toBe(sources.metrics);
    expect(card.params).toBe(sources.training.params);
    expect(card.reference_profile).toBe(sources.training.reference_profile);
    // The fit times come from their own file: training.json, a DVC output, holds none.
    expect(sources.training.candidates.every((c) => !('fit_seconds' in c))).toBe(true);
    expect(card.training.candidates.map((c) => c.fit_seconds)).toEqual(
      card.training.candidates.map((c) => sources.fitSeconds[c.kind]),
    );
    expect(card.target).toBe('median_house_value');
  });

  it('leaves the loss curve out, and the target out of the request contract', () => {
    const card = buildModelCard(sources);
    expect(card.training.gbdt).toEqual({
      best_round: sources.training.gbdt.best_round,
      rounds_run: sources.training.gbdt.rounds_run,
    });
    expect(card.training).not.toHaveProperty('reference_profile');
    expect(Object.keys(card.input_contract.properties)).not.toContain('median_house_value');
    expect(card.input_contract.required).not.toContain('median_house_value');
  });
});

describe('readTrainedModel', () => {
  it("reads the train stage's model.json", async () => {
    const trained = await readTrainedModel(join(dir, 'model.json'), 'the train stage');
    expect(trained.model.kind).toBe(sources.trained.model.kind);
  });

  it('names each bad field of a model.json by its JSON Pointer', async () => {
    const scratch = await tempDir('trained-model-');
    const { writeFile } = await import('node:fs/promises');
    const file = join(scratch, 'model.json');
    const broken = structuredClone(sources.trained) as unknown as {
      features: Record<string, unknown>;
      model: Record<string, unknown>;
    };
    delete broken.features.names;
    broken.model[sources.trained.model.kind === 'gbdt' ? 'base' : 'intercept'] = 'x';
    await writeFile(file, JSON.stringify(broken));
    const error = await readTrainedModel(file, 'the train stage').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    const paths = (error as ConfigurationError).problems.map((p) => p.path);
    expect(paths).toContain('/features/names');
    expect(paths).toContain(
      sources.trained.model.kind === 'gbdt' ? '/model/base' : '/model/intercept',
    );
    expect((error as ConfigurationError).message).toMatch(
      /model\.json: the trained model is malformed: /,
    );
  });

  it('says which stage writes a missing model.json', async () => {
    await expect(readTrainedModel(join(dir, 'nope.json'), 'the train stage')).rejects.toThrow(
      /nope\.json: cannot read \(ENOENT\); the train stage writes it/,
    );
  });
});
