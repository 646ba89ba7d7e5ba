import type { ModelCard } from '../src/schema.ts';

/**
 * A small model card that passes every check of `readModelCard`, written by
 * hand: for tests of what reads a card (actions, release notes) that need no
 * trained model. Two inputs (one numeric, one categorical) and the target,
 * each with a consistent profile. Its `onnx.sha256` describes no real graph.
 */
export function sampleCard(): ModelCard {
  const regression = { rmse: 45000, mae: 29500, r2: 0.85 };
  const numeric = (edges: number[], median: number) => ({
    kind: 'numeric' as const,
    edges,
    shares: Array.from({ length: edges.length + 1 }, () => 1 / (edges.length + 1)),
    quantiles: { '0': edges[0]! - 1, '0.5': median, '1': edges.at(-1)! + 1 },
    mean: median,
    null_rate: 0,
  });
  return {
    schema_version: 1,
    model_version: 'gbdt-0123456789ab',
    model_type: 'gbdt',
    created_at: '2026-11-20T12:00:00.000Z',
    git_sha: '9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d',
    data: {
      dvc_file: 'data.dvc',
      md5: '7b2f0e1c9a8d6e5f4c3b2a1908f7e6d5.dir',
      path: 'data/housing.csv',
      rows: 20640,
    },
    evaluation_data: {
      dvc_file: 'data.dvc',
      md5: '7b2f0e1c9a8d6e5f4c3b2a1908f7e6d5.dir',
      path: 'data/housing.csv',
      rows: 4128,
      split: 'test',
    },
    params: {
      seed: 42,
      data: { path: 'data/housing.csv', contract: 'pipeline/contract/housing.contract.json' },
      split: { test_size: 0.2, validation_size: 0.1 },
      validate: {
        reference: 'models/production/model.card.json',
        drift: {
          psi_warn: 0.1,
          psi_fail: 0.25,
          category_shift_warn: 0.05,
          category_shift_fail: 0.1,
        },
        profile_bins: 10,
      },
      linear: { l2: 1 },
      gbdt: {
        learning_rate: 0.1,
        max_rounds: 300,
        max_leaves: 31,
        max_depth: 0,
        min_samples_leaf: 20,
        l2: 1,
        max_bins: 255,
        early_stopping_rounds: 10,
        min_gain: 0,
      },
      gate: {
        baseline: 'models/production/model.card.json',
        metrics: { rmse: { better: 'lower', limit: 50000 } },
      },
    },
    metrics: {
      ...regression,
      validation: regression,
      rows_test: 4128,
      inference_ms_per_row: 0.002,
      model_size_bytes: 226946,
      onnx_parity_max_relative_error: 1e-6,
    },
    training: {
      rows: { train: 14448, validation: 2064, test: 4128 },
      selected: 'gbdt',
      candidates: [
        { kind: 'linear', validation: { rmse: 67000, mae: 49000, r2: 0.65 }, fit_seconds: 0.1 },
        { kind: 'gbdt', validation: regression, fit_seconds: 3 },
      ],
      gbdt: { best_round: 81, rounds_run: 91 },
      feature_importance: [
        { feature: 'median_income', gain_share: 0.7 },
        { feature: 'ocean_proximity=INLAND', gain_share: 0.3 },
      ],
    },
    input_contract: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Prediction request row',
      type: 'object',
      additionalProperties: false,
      required: ['median_income', 'ocean_proximity'],
      properties: {
        median_income: { type: 'number', minimum: 0 },
        ocean_proximity: { type: 'string', enum: ['INLAND', 'NEAR BAY'] },
      },
    },
    onnx: {
      file: 'model.onnx',
      sha256: 'ab'.repeat(32),
      inputs: [
        { name: 'median_income', type: 'float' },
        { name: 'ocean_proximity', type: 'string' },
      ],
      output: 'prediction',
      feature_names: ['median_income', 'ocean_proximity=INLAND', 'ocean_proximity=NEAR BAY'],
    },
    target: 'median_house_value',
    target_contract: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
    reference_profile: {
      rows: 14448,
      bins: 4,
      columns: {
        median_income: numeric([2, 3, 5], 3.5),
        ocean_proximity: {
          kind: 'categorical',
          categories: ['INLAND', 'NEAR BAY'],
          shares: [0.75, 0.25],
          null_rate: 0,
        },
        median_house_value: numeric([100000, 180000, 260000], 180000),
      },
    },
  };
}
