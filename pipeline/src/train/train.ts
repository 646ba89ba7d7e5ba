import { availableParallelism } from 'node:os';
import type { ContractColumns } from '../contract/contract.ts';
import { takeRows, type Dataset } from '../data/rows.ts';
import { splitRows, type Split } from '../data/split.ts';
import { profileCategorical, profileNumeric } from '../drift/profile.ts';
import { fitFeatureSpec, transformFeatures } from '../features/features.ts';
import { fitGbdt, type RoundLoss } from '../models/gbdt/gbdt.ts';
import { fitLinear } from '../models/linear.ts';
import type { ColumnProfile, ReferenceProfile } from '@housing/model-card/schema';
import { regressionMetrics, type RegressionMetrics } from '../models/metrics.ts';
import { predict, type TrainedModel } from '../models/model.ts';
import type { Params } from '../params/params.ts';
import { ConfigurationError } from '@housing/core/errors';
import type { Logger } from '@housing/core/logger';

/**
 * Training rows from which the GBDT's histograms use every core. Below it a
 * node's histogram is too small to share: waking a worker costs about as
 * much as the work it would take (the housing data's 16,512 training rows
 * fit on one thread).
 */
const PARALLEL_ROWS = 100_000;

/** What training learned besides the model: for the card, the summary and the plots. */
export interface TrainingReport {
  rows: { train: number; validation: number; test: number };
  selected: 'linear' | 'gbdt';
  candidates: { kind: 'linear' | 'gbdt'; validation: RegressionMetrics }[];
  gbdt: { best_round: number; rounds_run: number; history: RoundLoss[] };
  /** Share of total split gain per engineered feature (GBDT). */
  feature_importance: { feature: string; gain_share: number }[];
  /** How each raw column (and the target) was distributed in the training rows. */
  reference_profile: ReferenceProfile;
}

/**
 * Wall-clock seconds each candidate took to fit. Kept apart from the report:
 * the report is a DVC output whose md5 dvc.lock records, and a time differs
 * on every run, so it would change dvc.lock on every run.
 */
export type FitSeconds = Record<'linear' | 'gbdt', number>;

/** The file beside training.json that holds {@link FitSeconds}; dvc.yaml does not declare it. */
export const FIT_SECONDS_FILE = 'fit-seconds.json';

/** A training run's result. */
export interface TrainingResult {
  trained: TrainedModel;
  report: TrainingReport;
  split: Split;
  fitSeconds: FitSeconds;
}

/**
 * Splits the data with the seed, fits the linear baseline and the GBDT on the
 * training rows, and keeps whichever has the lower validation RMSE. The test
 * rows are left untouched for the evaluate stage.
 */
export function trainModels(
  data: Dataset,
  columns: ContractColumns,
  params: Params,
  logger: Logger,
): TrainingResult {
  const split = splitRows(data, params.seed, params.split.test_size, params.split.validation_size);
  if (split.train.length < 2 * params.gbdt.min_samples_leaf || split.validation.length === 0) {
    throw new ConfigurationError(
      `too few rows to train: ${split.train.length} training and ${split.validation.length} validation rows from ${data.rows}`,
      'params.yaml split',
    );
  }
  const train = takeRows(data, split.train);
  const validation = takeRows(data, split.validation);
  const spec = fitFeatureSpec(train, columns);
  const x = transformFeatures(spec, train);
  const xv = transformFeatures(spec, validation);
  const y = train.numeric[columns.target]!;
  const yv = validation.numeric[columns.target]!;

  let started = performance.now();
  const linear = fitLinear(x, y, params.linear);
  const linearSeconds = (performance.now() - started) / 1000;
  const linearMetrics = regressionMetrics(predict(linear, xv), yv);
  logger.info(`linear baseline: validation RMSE ${linearMetrics.rmse.toFixed(0)}`);

  started = performance.now();
  const gbdt = fitGbdt(
    x,
    y,
    { x: xv, y: yv },
    params.gbdt,
    (loss) => {
      logger.progress(
        `gbdt round ${loss.round}/${params.gbdt.max_rounds}: train RMSE ${loss.train_rmse.toFixed(0)}, validation RMSE ${loss.validation_rmse.toFixed(0)}`,
      );
    },
    // The model is the same on any number of threads; only large data gains from them.
    { threads: y.length >= PARALLEL_ROWS ? availableParallelism() : 1 },
  );
  const gbdtSeconds = (performance.now() - started) / 1000;
  const gbdtMetrics = regressionMetrics(predict(gbdt.model, xv), yv);
  logger.info(
    `gbdt: validation RMSE ${gbdtMetrics.rmse.toFixed(0)} after ${gbdt.best_round} rounds (${gbdt.history.length} run) in ${gbdtSeconds.toFixed(2)} s`,
  );

  const selected = gbdtMetrics.rmse <= linearMetrics.rmse ? 'gbdt' : 'linear';
  const totalGain = gbdt.gain_by_feature.reduce((s, g) => s + g, 0) || 1;
  const reference: ReferenceProfile = {
    rows: train.rows,
    bins: params.validate.profile_bins,
    columns: Object.fromEntries<ColumnProfile>([
      ...columns.numeric.map((c): [string, ColumnProfile] => [
        c,
        profileNumeric(train.numeric[c]!, params.validate.profile_bins),
      ]),
      ...columns.categorical.map(({ name, categories }): [string, ColumnProfile] => [
        name,
        profileCategorical(train.categorical[name]!, categories),
      ]),
    ]),
  };
  return {
    split,
    fitSeconds: { linear: linearSeconds, gbdt: gbdtSeconds },
    trained: { features: spec, model: selected === 'gbdt' ? gbdt.model : linear },
    report: {
      rows: {
        train: split.train.length,
        validation: split.validation.length,
        test: split.test.length,
      },
      selected,
      candidates: [
        { kind: 'linear', validation: linearMetrics },
        { kind: 'gbdt', validation: gbdtMetrics },
      ],
      gbdt: { best_round: gbdt.best_round, rounds_run: gbdt.history.length, history: gbdt.history },
      feature_importance: spec.names
        .map((feature, f) => ({ feature, gain_share: gbdt.gain_by_feature[f]! / totalGain }))
        .sort((a, b) => b.gain_share - a.gain_share),
      reference_profile: reference,
    },
  };
}
