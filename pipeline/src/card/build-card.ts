import { modelVersionOf, onnxSha256 } from '@housing/model-card/identity';
import type { DataProvenance, ModelCard, ModelMetrics } from '@housing/model-card/schema';
import type { ContractColumns, DataContract } from '../contract/contract.ts';
import type { TrainedModel } from '../models/model.ts';
import { onnxInputs, OUTPUT_NAME } from '../onnx/export.ts';
import type { Params } from '../params/params.ts';
import type { FitSeconds, TrainingReport } from '../train/train.ts';
import { inputContract } from './card.ts';

/** What the train stage writes to training.json: its report, the params and the data it used. */
export type TrainingRecord = TrainingReport & { params: Params; data: string };

/** Everything a card records, measured or read by the evaluate stage. */
export interface CardSources {
  trained: TrainedModel;
  training: TrainingRecord;
  /** How long each candidate took to fit (the train stage's fit-seconds.json). */
  fitSeconds: FitSeconds;
  contract: { contract: DataContract; columns: ContractColumns };
  metrics: ModelMetrics;
  onnxBytes: Uint8Array;
  /** The file the model was trained on (all its rows). */
  trainingData: DataProvenance;
  /** The rows `metrics` were measured on. */
  evaluationData: NonNullable<ModelCard['evaluation_data']>;
  gitSha: string;
  createdAt: Date;
}

/**
 * The model card of a trained, evaluated model: its version (derived from the
 * ONNX bytes), what it was trained and scored on, its metrics, the request
 * contract, the graph's interface and the training data's reference profile.
 * Only assembles: nothing is read or measured here.
 */
export function buildModelCard(sources: CardSources): ModelCard {
  const { trained, training, contract } = sources;
  const sha256 = onnxSha256(sources.onnxBytes);
  return {
    schema_version: 1,
    model_version: modelVersionOf(trained.model.kind, sha256),
    model_type: trained.model.kind,
    created_at: sources.createdAt.toISOString(),
    git_sha: sources.gitSha,
    data: sources.trainingData,
    evaluation_data: sources.evaluationData,
    params: training.params,
    metrics: sources.metrics,
    // The loss curve is the retrain summary's, not the card's; the profile has its own field.
    training: {
      rows: training.rows,
      selected: training.selected,
      candidates: training.candidates.map((c) => ({
        ...c,
        fit_seconds: sources.fitSeconds[c.kind],
      })),
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
    // The target's bounds, so POST /v1/feedback refuses ground truth the contract would.
    target_contract: contract.contract.row.properties[contract.columns.target],
    reference_profile: training.reference_profile,
  };
}
