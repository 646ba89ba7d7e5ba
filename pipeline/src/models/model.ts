import type { FeatureSpec } from '../features/features.ts';
import { predictGbdt, type GbdtModel } from './gbdt/gbdt.ts';
import { predictLinear, type LinearModel } from './linear.ts';

/** A trained model with the feature spec it expects: what `model.json` holds. */
export interface TrainedModel {
  features: FeatureSpec;
  model: LinearModel | GbdtModel;
}

/** In-memory predictions on engineered features. */
export function predict(model: LinearModel | GbdtModel, x: Float32Array[]): Float64Array {
  return model.kind === 'linear' ? predictLinear(model, x) : predictGbdt(model, x);
}
