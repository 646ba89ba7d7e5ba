import onnxProto from 'onnx-proto';
import type { FeatureSpec } from '../features/features.ts';
import type { GbdtModel } from '../models/gbdt/gbdt.ts';
import type { LinearModel } from '../models/linear.ts';
import type { TrainedModel } from '../models/model.ts';
import { clampNodes, numericFeatureNodes } from './finite-nodes.ts';
import {
  DataType,
  floats,
  int,
  int64Vector,
  ints,
  ML,
  node,
  str,
  strings,
  valueInfo,
  type Node,
  type Tensor,
} from './proto.ts';

const { onnx } = onnxProto;

/** The graph's output: one predicted value per row, shape [N, 1]. */
export const OUTPUT_NAME = 'prediction';
/** ONNX IR 8 with opset 17 and ai.onnx.ml 3: what onnxruntime 1.14+ runs. */
const OPSETS = [
  { domain: '', version: 17 },
  { domain: ML, version: 3 },
];

/** Extra key/value pairs stored in the model's metadata_props. */
export type OnnxMetadata = Record<string, string>;

/**
 * Exports a trained model as an ONNX graph that takes the raw columns by name,
 * one [N, 1] input each (float for numeric columns, string for categorical),
 * and does the preprocessing itself: the finite rule on every numeric column
 * and ratio (median for NaN, ±Inf and unusable denominators; see
 * `FeatureSpec` and finite-nodes.ts), OneHotEncoder for categories (an
 * unknown category is all zeros), one Concat into the model's columns, one
 * clamp of them all to the training range, then the model
 * (TreeEnsembleRegressor, or the linear model in double precision). Serving
 * sends raw rows to it, so it cannot diverge from training, and its output is
 * finite for any row. The node count does not grow with the number of
 * numeric columns: a call of a few rows costs onnxruntime mostly per node.
 */
export function exportOnnx(trained: TrainedModel, metadata: OnnxMetadata = {}): Uint8Array {
  const { features } = trained;
  const numeric = numericFeatureNodes(features);
  const nodes: Node[] = [...numeric.nodes];
  const initializers: Tensor[] = [...numeric.initializers];
  const inputs: onnxProto.onnx.IValueInfoProto[] = features.numeric.map((name) =>
    valueInfo(name, DataType.FLOAT, ['N', 1]),
  );
  const columnsOut: string[] = [...numeric.outputs];
  const min = [...numeric.min];
  const max = [...numeric.max];
  for (const { name, categories } of features.categorical) {
    inputs.push(valueInfo(name, DataType.STRING, ['N', 1]));
    const shape = `${name}__onehot_shape`;
    initializers.push(int64Vector(shape, [-1n, BigInt(categories.length)]));
    // OneHotEncoder appends a category axis: [N, 1] -> [N, 1, K]; Reshape to [N, K].
    nodes.push(
      node('OneHotEncoder', [name], [`${name}__onehot3d`], ML, [
        strings('cats_strings', categories),
        int('zeros', 1),
      ]),
      node('Reshape', [`${name}__onehot3d`, shape], [`${name}__onehot`]),
    );
    columnsOut.push(`${name}__onehot`);
    // A one-hot column is 0 or 1 already: its range leaves it as it is.
    min.push(...categories.map(() => 0));
    max.push(...categories.map(() => 1));
  }
  // One Concat and one clamp for every feature: the model's columns, in its order.
  nodes.push(node('Concat', columnsOut, ['features_unclamped'], '', [int('axis', 1)]));
  const clamp = clampNodes('features_unclamped', 'features', min, max);
  nodes.push(...clamp.nodes);
  initializers.push(...clamp.initializers);
  if (trained.model.kind === 'gbdt') nodes.push(treeEnsembleNode(trained.model));
  else nodes.push(...linearNodes(trained.model, initializers));

  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'housing-mlops',
    producerVersion: '1',
    domain: 'org.housing',
    modelVersion: 1,
    docString: `California Housing regressor (${trained.model.kind}); inputs are raw columns, output '${OUTPUT_NAME}' in US dollars, finite for any row: NaN or +-Inf in a column, or a zero or non-finite denominator, takes the training median; every numeric feature is clamped to its training range.`,
    opsetImport: OPSETS,
    metadataProps: Object.entries({ feature_names: features.names.join(','), ...metadata }).map(
      ([key, value]) => ({ key, value }),
    ),
    graph: {
      name: 'housing_regressor',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: [valueInfo(OUTPUT_NAME, DataType.FLOAT, ['N', 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function treeEnsembleNode(model: GbdtModel): Node {
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    targetTree: [] as number[],
    targetNode: [] as number[],
    weights: [] as number[],
  };
  model.trees.forEach((tree, t) => {
    for (let n = 0; n < tree.feature.length; n++) {
      const leaf = tree.left[n]! < 0;
      a.treeIds.push(t);
      a.nodeIds.push(n);
      a.featureIds.push(leaf ? 0 : tree.feature[n]!);
      a.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      a.values.push(leaf ? 0 : tree.threshold[n]!);
      a.trueIds.push(leaf ? 0 : tree.left[n]!);
      a.falseIds.push(leaf ? 0 : tree.right[n]!);
      if (leaf) {
        a.targetTree.push(t);
        a.targetNode.push(n);
        a.weights.push(tree.value[n]!);
      }
    }
  });
  return node('TreeEnsembleRegressor', ['features'], [OUTPUT_NAME], ML, [
    int('n_targets', 1),
    str('aggregate_function', 'SUM'),
    str('post_transform', 'NONE'),
    floats('base_values', [model.base]),
    ints('nodes_treeids', a.treeIds),
    ints('nodes_nodeids', a.nodeIds),
    ints('nodes_featureids', a.featureIds),
    strings('nodes_modes', a.modes),
    floats('nodes_values', a.values),
    ints('nodes_truenodeids', a.trueIds),
    ints('nodes_falsenodeids', a.falseIds),
    ints('target_treeids', a.targetTree),
    ints('target_nodeids', a.targetNode),
    ints(
      'target_ids',
      a.targetTree.map(() => 0),
    ),
    floats('target_weights', a.weights),
  ]);
}

/**
 * The linear model in double precision: Cast, standardize, MatMul, Add, Cast
 * back. In float32 the large standardized terms would cancel and lose digits.
 */
function linearNodes(model: LinearModel, initializers: Tensor[]): Node[] {
  const p = model.coefficients.length;
  const DOUBLE = DataType.DOUBLE;
  initializers.push(
    { name: 'linear_mean', dataType: DOUBLE, dims: [1, p], doubleData: model.mean },
    { name: 'linear_scale', dataType: DOUBLE, dims: [1, p], doubleData: model.scale },
    { name: 'linear_coefficients', dataType: DOUBLE, dims: [p, 1], doubleData: model.coefficients },
    { name: 'linear_intercept', dataType: DOUBLE, dims: [1], doubleData: [model.intercept] },
  );
  return [
    node('Cast', ['features'], ['features_double'], '', [int('to', DOUBLE)]),
    node('Sub', ['features_double', 'linear_mean'], ['features_centered']),
    node('Div', ['features_centered', 'linear_scale'], ['features_standardized']),
    node('MatMul', ['features_standardized', 'linear_coefficients'], ['linear_terms']),
    node('Add', ['linear_terms', 'linear_intercept'], ['prediction_double']),
    node('Cast', ['prediction_double'], [OUTPUT_NAME], '', [int('to', DataType.FLOAT)]),
  ];
}

/** The raw-column inputs an exported graph takes, for callers that build feeds. */
export function onnxInputs(features: FeatureSpec): { name: string; type: 'float' | 'string' }[] {
  return [
    ...features.numeric.map((name) => ({ name, type: 'float' as const })),
    ...features.categorical.map(({ name }) => ({ name, type: 'string' as const })),
  ];
}
