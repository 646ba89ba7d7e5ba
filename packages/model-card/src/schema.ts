/**
 * The model card's JSON Schema, the one description of the card: every field
 * that the pipeline writes and that any package reads (the service, the
 * actions, the pipeline's gate and drift check). The TypeScript types below
 * are derived from it, so the type cannot claim a field the schema does not check.
 *
 * Written with TypeBox rather than as a JSON literal typed by
 * json-schema-to-ts: TypeBox's builders are plain JSON Schema at run time
 * (ajv compiles them as they are), and `Static<>` derives the type with one
 * cheap mapped type per builder, where `FromSchema` re-parses the whole
 * literal at the type level, slows the editor on a schema this size, and does
 * not model the `if`/`then` that keeps the profile's errors readable.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** An object whose keys are names (columns, metrics) and whose values all match `value`. */
function dictionary<T extends TSchema>(value: T, required: string[] = []) {
  // Not Type.Record: it writes `patternProperties`, a regular expression run on every key.
  return Type.Unsafe<Record<string, Static<T>>>({
    type: 'object',
    additionalProperties: value,
    // ajv's strict mode wants each required key declared too.
    ...(required.length > 0 && {
      required,
      properties: Object.fromEntries(required.map((key) => [key, value])),
    }),
  });
}

const text = Type.String({ minLength: 1 });
const count = Type.Integer({ minimum: 0 });
const share = Type.Number({ minimum: 0, maximum: 1 });

// ---------------------------------------------------------------- input contract

/** JSON Schema of one column of a row: numbers, or a string enum, maybe admitting null. */
export const PropertySchemaSchema = Type.Object(
  {
    type: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
    enum: Type.Optional(Type.Array(Type.String())),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    exclusiveMinimum: Type.Optional(Type.Number()),
    description: Type.Optional(Type.String()),
  },
  // Any other JSON Schema keyword is ajv's to compile.
  { additionalProperties: true },
);
export type PropertySchema = Static<typeof PropertySchemaSchema>;

/** A row's JSON Schema: an object of named columns (the data contract's `row`, the card's input contract). */
export const RowSchemaSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    $id: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    type: Type.Literal('object'),
    additionalProperties: Type.Optional(Type.Boolean()),
    required: Type.Array(Type.String()),
    properties: dictionary(PropertySchemaSchema),
  },
  { additionalProperties: true },
);
export type RowSchema = Static<typeof RowSchemaSchema>;

// ---------------------------------------------------------------- reference profile

const shares = Type.Array(share);

/** A numeric column: quantile bins taken from the reference data. */
export const NumericProfileSchema = Type.Object({
  kind: Type.Literal('numeric'),
  /** Upper bounds of every bin but the last: bin i holds edges[i-1] < v <= edges[i]. */
  edges: Type.Array(Type.Number()),
  /** Share of the reference's non-null values in each bin (edges.length + 1 of them). */
  shares,
  /** Quantiles at 0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1 (the median is the warm-up row's value). */
  quantiles: dictionary(Type.Number(), ['0.5']),
  mean: Type.Number(),
  null_rate: share,
});
export type NumericProfile = Static<typeof NumericProfileSchema>;

/** A categorical column: the share of each category. */
export const CategoricalProfileSchema = Type.Object({
  kind: Type.Literal('categorical'),
  categories: Type.Array(Type.String(), { minItems: 1 }),
  shares,
  null_rate: share,
});
export type CategoricalProfile = Static<typeof CategoricalProfileSchema>;

/**
 * One column's profile. Chosen by `kind` with if/then rather than anyOf, so a
 * bad numeric profile is reported as that, not also as a bad categorical one.
 */
export const ColumnProfileSchema = Type.Unsafe<NumericProfile | CategoricalProfile>({
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['numeric', 'categorical'] } },
  allOf: [
    {
      if: { type: 'object', properties: { kind: { const: 'numeric' } } },
      then: NumericProfileSchema,
    },
    {
      if: { type: 'object', properties: { kind: { const: 'categorical' } } },
      then: CategoricalProfileSchema,
    },
  ],
});
export type ColumnProfile = Static<typeof ColumnProfileSchema>;

/** How each column of the training rows was distributed: what drift is measured against. */
export const ReferenceProfileSchema = Type.Object({
  rows: Type.Integer({ minimum: 1 }),
  bins: Type.Integer({ minimum: 1 }),
  columns: dictionary(ColumnProfileSchema),
});
export type ReferenceProfile = Static<typeof ReferenceProfileSchema>;

// ---------------------------------------------------------------- what the card records of training

/** Regression quality on one set of rows. */
const RegressionMetricsSchema = Type.Object({
  rmse: Type.Number(),
  mae: Type.Number(),
  r2: Type.Number(),
});

/** The metrics the evaluate stage writes to reports/metrics.json and the card. */
export const ModelMetricsSchema = Type.Composite([
  RegressionMetricsSchema,
  Type.Object({
    /** Validation-split metrics of the selected model, for reference. */
    validation: RegressionMetricsSchema,
    rows_test: count,
    /** onnxruntime wall time per row, batch of the whole test set, in ms. */
    inference_ms_per_row: Type.Number(),
    model_size_bytes: count,
    /** Largest relative difference between onnxruntime's and the in-memory model's predictions. */
    onnx_parity_max_relative_error: Type.Number(),
  }),
]);
export type ModelMetrics = Static<typeof ModelMetricsSchema>;

const modelKind = Type.Union([Type.Literal('linear'), Type.Literal('gbdt')]);

/** Drift thresholds, params.yaml `validate.drift`. */
export const DriftThresholdsSchema = Type.Object({
  psi_warn: Type.Number(),
  psi_fail: Type.Number(),
  category_shift_warn: Type.Number(),
  category_shift_fail: Type.Number(),
});

/**
 * params.yaml as it was when the model was trained. Its ranges are checked by
 * the pipeline's own schema when params.yaml is read; the card records the values.
 */
const TrainingParamsSchema = Type.Object({
  seed: count,
  data: Type.Object({ path: Type.String(), contract: Type.String() }),
  split: Type.Object({ test_size: Type.Number(), validation_size: Type.Number() }),
  validate: Type.Object({
    reference: Type.String(),
    drift: DriftThresholdsSchema,
    profile_bins: Type.Integer(),
  }),
  linear: Type.Object({ l2: Type.Number() }),
  gbdt: Type.Object({
    learning_rate: Type.Number(),
    max_rounds: Type.Integer(),
    max_leaves: Type.Integer(),
    max_depth: Type.Integer(),
    min_samples_leaf: Type.Integer(),
    l2: Type.Number(),
    max_bins: Type.Integer(),
    early_stopping_rounds: Type.Integer(),
    min_gain: Type.Number(),
  }),
  gate: Type.Object({
    baseline: Type.String(),
    metrics: dictionary(
      Type.Object({
        better: Type.Union([Type.Literal('lower'), Type.Literal('higher')]),
        tolerance_relative: Type.Optional(Type.Number()),
        tolerance_absolute: Type.Optional(Type.Number()),
        limit: Type.Optional(Type.Number()),
      }),
    ),
  }),
});

/** What the train stage reports, without its heavy parts (the profile has its own field, the loss curve none). */
const TrainingSummarySchema = Type.Object({
  rows: Type.Object({ train: count, validation: count, test: count }),
  selected: modelKind,
  candidates: Type.Array(
    Type.Object({
      kind: modelKind,
      validation: RegressionMetricsSchema,
      fit_seconds: Type.Number(),
    }),
  ),
  gbdt: Type.Object({ best_round: count, rounds_run: count }),
  /** Share of total split gain per engineered feature (GBDT). */
  feature_importance: Type.Array(
    Type.Object({ feature: Type.String(), gain_share: Type.Number() }),
  ),
});

/** A CSV the card describes: its DVC file when tracked ('' otherwise), md5, path and rows read. */
export const DataProvenanceSchema = Type.Object({
  /**
   * `data.dvc` when the file lies in the DVC-tracked folder and that folder
   * matches `data.dvc`; then `md5` is that folder's hash. Else '' and the file's own md5.
   */
  dvc_file: Type.String(),
  md5: Type.String(),
  path: Type.String(),
  rows: count,
});
export type DataProvenance = Static<typeof DataProvenanceSchema>;

/** The ONNX graph: its file, hash, inputs (one `[N, 1]` tensor per raw column) and output. */
const OnnxSchema = Type.Object({
  file: Type.String(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  inputs: Type.Array(
    Type.Object({ name: text, type: Type.Union([Type.Literal('float'), Type.Literal('string')]) }),
    { minItems: 1 },
  ),
  output: text,
  feature_names: Type.Array(Type.String()),
});

// ---------------------------------------------------------------- the card

/**
 * The model card: one JSON file beside model.onnx that the service, the metric
 * gate, the actions and the dashboards read. `reference_profile` is heavy; the
 * service's GET /v1/model leaves it out.
 */
export const ModelCardSchema = Type.Object({
  schema_version: Type.Literal(1),
  model_version: text,
  model_type: modelKind,
  created_at: Type.String(),
  git_sha: Type.String(),
  /** The training data: the file the train stage split (all its rows). */
  data: DataProvenanceSchema,
  /**
   * The rows `metrics` were measured on: the held-out test split of the
   * training file (`split: 'test'`), or every row of `--test-data`
   * (`split: 'all'`). Absent from cards written before it existed.
   */
  evaluation_data: Type.Optional(
    Type.Composite([
      DataProvenanceSchema,
      Type.Object({ split: Type.Union([Type.Literal('test'), Type.Literal('all')]) }),
    ]),
  ),
  params: TrainingParamsSchema,
  metrics: ModelMetricsSchema,
  training: TrainingSummarySchema,
  /** JSON Schema of one request row: the data contract's row without the target. */
  input_contract: RowSchemaSchema,
  onnx: OnnxSchema,
  target: text,
  /**
   * The data contract's JSON Schema of the target column (its bounds): what
   * ground truth sent to the service's POST /v1/feedback must satisfy.
   * Absent from cards written before it existed; then any number within ±Number.MAX_SAFE_INTEGER is taken.
   */
  target_contract: Type.Optional(PropertySchemaSchema),
  reference_profile: ReferenceProfileSchema,
});
export type ModelCard = Static<typeof ModelCardSchema>;
