import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigurationError } from '@housing/core/errors';
import { removeDir, trainModel } from '@housing/test-support/service';
import { modelVersionOf, onnxSha256 } from '../src/identity.ts';
import { parseModelCard, readModelCard } from '../src/read.ts';
import type { ColumnProfile, ModelCard } from '../src/schema.ts';
import { sampleCard } from './sample-card.ts';

const DELETE = Symbol('delete');

/** A copy of a card with the value at `path` replaced, or deleted. */
function edit(card: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(card) as Record<string, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  if (value === DELETE) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

/** The ConfigurationError a parse throws. */
function rejection(value: unknown, source = 'model.card.json'): ConfigurationError {
  try {
    parseModelCard(value, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('the card was accepted');
}

let modelDir: string;
let trained: ModelCard;
let scratch: string;

beforeAll(async () => {
  modelDir = await trainModel();
  trained = await readModelCard(join(modelDir, 'model.card.json'));
  scratch = await mkdtemp(join(tmpdir(), 'model-card-'));
}, 120_000);
afterAll(async () => {
  await removeDir(modelDir);
  await rm(scratch, { recursive: true, force: true });
});

describe('readModelCard', () => {
  it("accepts the card the evaluate stage writes for a real model, and its version is its graph's", async () => {
    expect(trained.schema_version).toBe(1);
    const { readFile } = await import('node:fs/promises');
    const sha256 = onnxSha256(await readFile(join(modelDir, 'model.onnx')));
    expect(trained.onnx.sha256).toBe(sha256);
    expect(trained.model_version).toBe(modelVersionOf(trained.model_type, sha256));
    expect(Object.keys(trained.reference_profile.columns)).toContain(trained.target);
  });

  it('accepts the hand-written sample card other packages test with', () => {
    expect(parseModelCard(sampleCard(), 'sample').model_version).toBe('gbdt-0123456789ab');
  });

  it('names the file and line of a card that is not JSON', async () => {
    const file = join(scratch, 'broken.card.json');
    await writeFile(file, '{\n  "schema_version": 1,\n  }\n');
    await expect(readModelCard(file)).rejects.toThrow(/broken\.card\.json:3:3: .*not valid JSON/);
  });

  it('refuses a missing file and a directory, naming them', async () => {
    await expect(readModelCard(join(scratch, 'absent.json'))).rejects.toThrow(
      /absent\.json: cannot read the model card \(ENOENT\)/,
    );
    const dir = join(scratch, 'a-folder');
    await mkdir(dir);
    await expect(readModelCard(dir)).rejects.toThrow(/a-folder: .*not a regular file/);
  });

  it('checks at every read: a card edited on disk after it was written is refused', async () => {
    const file = join(scratch, 'edited.card.json');
    await writeFile(file, JSON.stringify(edit(trained, ['metrics', 'rmse'], 'low')));
    const error = await readModelCard(file).then(
      () => undefined,
      (e: unknown) => e as ConfigurationError,
    );
    expect(error?.problems).toEqual([
      { file, path: '/metrics/rmse', message: 'must be number, got "low"' },
    ]);
  });
});

describe('parseModelCard rejects each broken field by its JSON Pointer', () => {
  const cases: [string, string[], unknown, string][] = [
    ['no schema version', ['schema_version'], DELETE, '/schema_version'],
    ['another schema version', ['schema_version'], 2, '/schema_version'],
    ['an empty model version', ['model_version'], '', '/model_version'],
    ['an unknown model type', ['model_type'], 'forest', '/model_type'],
    ['a git sha not a string', ['git_sha'], 42, '/git_sha'],
    ['no data', ['data'], DELETE, '/data'],
    ['no data md5', ['data', 'md5'], DELETE, '/data/md5'],
    ['data rows not a count', ['data', 'rows'], -1, '/data/rows'],
    [
      'an evaluation split of neither kind',
      ['evaluation_data', 'split'],
      'some',
      '/evaluation_data/split',
    ],
    ['no params', ['params'], DELETE, '/params'],
    ['a seed that is text', ['params', 'seed'], '42', '/params/seed'],
    ['no metrics', ['metrics'], DELETE, '/metrics'],
    ['a metric not a number', ['metrics', 'rmse'], 'low', '/metrics/rmse'],
    ['no validation metrics', ['metrics', 'validation'], DELETE, '/metrics/validation'],
    ['no training summary', ['training'], DELETE, '/training'],
    ['no best round', ['training', 'gbdt', 'best_round'], DELETE, '/training/gbdt/best_round'],
    ['an input contract not an object', ['input_contract'], 'x', '/input_contract'],
    ['rows that must be arrays', ['input_contract', 'type'], 'array', '/input_contract/type'],
    ['no required list', ['input_contract', 'required'], DELETE, '/input_contract/required'],
    ['an ONNX hash that is not hex', ['onnx', 'sha256'], 'xyz', '/onnx/sha256'],
    ['no inputs', ['onnx', 'inputs'], [], '/onnx/inputs'],
    ['an input of another type', ['onnx', 'inputs', '0', 'type'], 'int', '/onnx/inputs/0/type'],
    ['no output', ['onnx', 'output'], DELETE, '/onnx/output'],
    ['no target', ['target'], DELETE, '/target'],
    ['no reference profile', ['reference_profile'], DELETE, '/reference_profile'],
    ['profile rows not a count', ['reference_profile', 'rows'], 0, '/reference_profile/rows'],
    [
      'no profile of the target',
      ['reference_profile', 'columns', 'median_house_value'],
      DELETE,
      '/reference_profile/columns/median_house_value',
    ],
    [
      'no profile of an input',
      ['reference_profile', 'columns', 'median_income'],
      DELETE,
      '/reference_profile/columns/median_income',
    ],
    [
      'a numeric input profiled as a category',
      ['reference_profile', 'columns', 'median_income'],
      { kind: 'categorical', categories: ['a'], shares: [1], null_rate: 0 },
      '/reference_profile/columns/median_income/kind',
    ],
    [
      'a profile of an unknown kind',
      ['reference_profile', 'columns', 'median_income', 'kind'],
      'ordinal',
      '/reference_profile/columns/median_income/kind',
    ],
    [
      'a numeric profile without its median',
      ['reference_profile', 'columns', 'median_income', 'quantiles'],
      {},
      '/reference_profile/columns/median_income/quantiles/0.5',
    ],
    [
      'bin edges that are not numbers',
      ['reference_profile', 'columns', 'median_income', 'edges', '0'],
      'a',
      '/reference_profile/columns/median_income/edges/0',
    ],
    [
      'bin edges that do not increase',
      ['reference_profile', 'columns', 'median_income', 'edges', '1'],
      -100,
      '/reference_profile/columns/median_income/edges/1',
    ],
    [
      'bins and shares that disagree',
      ['reference_profile', 'columns', 'median_income', 'shares'],
      [1],
      '/reference_profile/columns/median_income/shares',
    ],
    [
      'shares that do not sum to 1',
      ['reference_profile', 'columns', 'ocean_proximity', 'shares', '0'],
      0.1,
      '/reference_profile/columns/ocean_proximity/shares',
    ],
    [
      'a share above 1',
      ['reference_profile', 'columns', 'ocean_proximity', 'shares', '0'],
      1.5,
      '/reference_profile/columns/ocean_proximity/shares/0',
    ],
    [
      'no categories',
      ['reference_profile', 'columns', 'ocean_proximity', 'categories'],
      [],
      '/reference_profile/columns/ocean_proximity/categories',
    ],
  ];

  for (const [what, path, value, pointer] of cases) {
    it(what, () => {
      // The real card, and the sample card other packages test with: both fail the same way.
      for (const card of [trained, sampleCard()]) {
        const error = rejection(edit(card, path, value));
        expect(error.problems.map((p) => p.path)).toContain(pointer);
        expect(error.problems.every((p) => p.file === 'model.card.json')).toBe(true);
        expect(error.message).toContain(`model.card.json: the model card is malformed: `);
        expect(error.message).toContain(pointer);
      }
    });
  }

  it('refuses what is not an object at all, and lists at most ten problems in its message', () => {
    for (const value of [null, [], 'card', 1])
      expect(rejection(value).message).toMatch(/\(the card\) must be object/);
    const error = rejection({});
    expect(error.problems.length).toBeGreaterThan(10);
    expect(error.message).toMatch(/\(and \d+ more\)$/);
  });

  it('quotes a bad value cut short, never the whole of it', () => {
    const error = rejection(edit(trained, ['git_sha'], 7), 'c.json');
    expect(error.problems[0]).toEqual({
      file: 'c.json',
      path: '/git_sha',
      message: 'must be string, got 7',
    });
    const long = rejection(edit(trained, ['model_type'], 'x'.repeat(10_000)));
    expect(long.message.length).toBeLessThan(400);
  });
});

describe('the ModelCard type is derived from the schema', () => {
  it('types what readers use of a real card', () => {
    expectTypeOf(trained.model_version).toEqualTypeOf<string>();
    expectTypeOf(trained.model_type).toEqualTypeOf<'linear' | 'gbdt'>();
    expectTypeOf(trained.metrics.rmse).toEqualTypeOf<number>();
    expectTypeOf(trained.training.feature_importance).items.toEqualTypeOf<{
      feature: string;
      gain_share: number;
    }>();
    expectTypeOf(trained.evaluation_data).toEqualTypeOf<
      | {
          dvc_file: string;
          md5: string;
          path: string;
          rows: number;
          split: 'test' | 'all';
        }
      | undefined
    >();
    // A column's profile is a union the readers narrow by `kind`.
    const profile: ColumnProfile = trained.reference_profile.columns[trained.target]!;
    expect(profile.kind).toBe('numeric');
    if (profile.kind === 'numeric') expectTypeOf(profile.edges).toEqualTypeOf<number[]>();
    else expectTypeOf(profile.categories).toEqualTypeOf<string[]>();
    // Each field the sample card sets is the type's: it is typed `ModelCard` and compiles.
    const sample: ModelCard = sampleCard();
    expect(Object.keys(sample).sort()).toEqual(Object.keys(trained).sort());
  });
});
