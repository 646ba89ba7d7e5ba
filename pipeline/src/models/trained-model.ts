import { Ajv2020 } from 'ajv/dist/2020.js';
import { schemaProblems } from '@housing/model-card/check';
import { rejectProblems } from '@housing/model-card/read';
import { readStageJson } from '../params/stage-config.ts';
import type { TrainedModel } from './model.ts';

const strings = { type: 'array', items: { type: 'string' } };
const numbers = { type: 'array', items: { type: 'number' } };
const record = (properties: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});

/**
 * JSON Schema of model.json (a {@link TrainedModel}), as the train stage
 * writes it and the evaluate stage reads it: the feature spec, then a linear
 * or GBDT model chosen by `kind`.
 */
export const TRAINED_MODEL_SCHEMA = record({
  features: record({
    numeric: strings,
    stats: {
      type: 'object',
      additionalProperties: record({
        median: { type: 'number' },
        min: { type: 'number' },
        max: { type: 'number' },
      }),
    },
    ratios: {
      type: 'array',
      items: record({
        name: { type: 'string' },
        numerator: { type: 'string' },
        denominator: { type: 'string' },
      }),
    },
    categorical: {
      type: 'array',
      items: record({ name: { type: 'string' }, categories: strings }),
    },
    names: strings,
  }),
  model: {
    type: 'object',
    required: ['kind'],
    properties: { kind: { enum: ['linear', 'gbdt'] } },
    allOf: [
      {
        if: { type: 'object', properties: { kind: { const: 'linear' } } },
        then: record({
          intercept: { type: 'number' },
          mean: numbers,
          scale: numbers,
          coefficients: numbers,
        }),
      },
      {
        if: { type: 'object', properties: { kind: { const: 'gbdt' } } },
        then: record({
          base: { type: 'number' },
          trees: {
            type: 'array',
            items: record({
              feature: numbers,
              threshold: numbers,
              left: numbers,
              right: numbers,
              value: numbers,
            }),
          },
        }),
      },
    ],
  },
});

const validate = new Ajv2020({ allErrors: true, strict: true, verbose: true }).compile(
  TRAINED_MODEL_SCHEMA,
);

/**
 * Reads the train stage's model.json and checks it against
 * {@link TRAINED_MODEL_SCHEMA}: a file cut short or from another version is a
 * ConfigurationError naming each bad field's JSON Pointer, not a crash deep in
 * prediction. `writtenBy` names the stage that writes it, for a missing file.
 */
export async function readTrainedModel(file: string, writtenBy: string): Promise<TrainedModel> {
  const value = await readStageJson<unknown>(file, writtenBy);
  if (!validate(value)) rejectProblems(schemaProblems(validate, ''), file, 'the trained model');
  return value as TrainedModel;
}
