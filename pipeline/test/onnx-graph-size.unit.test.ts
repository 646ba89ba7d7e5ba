import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../src/features/features.ts';
import type { TrainedModel } from '../src/models/model.ts';
import { exportOnnx } from '../src/onnx/export.ts';

/**
 * onnxruntime's cost for a call of a few rows is mostly a fixed cost per
 * node, so the graph's preprocessing must not grow a node per column: the
 * finite rule, the ratios and the clamp work on whole tensors. (Parity with
 * the TypeScript transform is onnx.test.ts's and finite-graph.test.ts's.)
 */

/** A feature spec over `columns` numeric columns, `ratios` ratios and one categorical column. */
function specOf(columns: number, ratios: number, categories: string[]): FeatureSpec {
  const numeric = Array.from({ length: columns }, (_, i) => `x${i}`);
  const ratioFeatures = Array.from({ length: ratios }, (_, i) => ({
    name: `r${i}`,
    numerator: numeric[i % columns]!,
    denominator: numeric[(i + 1) % columns]!,
  }));
  const names = [...numeric, ...ratioFeatures.map((r) => r.name)];
  return {
    numeric,
    ratios: ratioFeatures,
    stats: Object.fromEntries(names.map((n, i) => [n, { median: i, min: -i, max: 10 + i }])),
    categorical: [{ name: 'kind', categories }],
    names: [...names, ...categories.map((k) => `kind=${k}`)],
  };
}

/** A linear model over the spec's features, so the graph can be exported. */
function linearOver(spec: FeatureSpec): TrainedModel {
  const p = spec.names.length;
  const ones = Array.from({ length: p }, () => 1);
  return {
    features: spec,
    model: {
      kind: 'linear',
      intercept: 0,
      mean: ones.map(() => 0),
      scale: ones,
      coefficients: ones,
    },
  };
}

function nodesOf(trained: TrainedModel): onnxProto.onnx.INodeProto[] {
  return onnxProto.onnx.ModelProto.decode(exportOnnx(trained)).graph!.node!;
}

describe('the exported graph has a fixed number of nodes', () => {
  it('the same nodes for 2 numeric columns and 1 ratio as for 8 columns and 3 ratios', () => {
    const small = nodesOf(linearOver(specOf(2, 1, ['a', 'b'])));
    const large = nodesOf(linearOver(specOf(8, 3, ['a', 'b', 'c', 'd', 'e'])));
    const ops = (nodes: onnxProto.onnx.INodeProto[]) => nodes.map((n) => n.opType).sort();
    expect(ops(large)).toEqual(ops(small));
    // The 8-column graph: 15 preprocessing nodes, then 6 for the linear model.
    expect(large).toHaveLength(21);
  });

  it('reads each numeric input once, in the one Concat that makes the [N, P] tensor', () => {
    const spec = specOf(8, 3, ['a', 'b']);
    const nodes = nodesOf(linearOver(spec));
    for (const column of spec.numeric) {
      const readers = nodes.filter((n) => n.input!.includes(column));
      expect(
        readers.map((n) => n.opType),
        column,
      ).toEqual(['Concat']);
    }
    const concat = nodes.find((n) => n.input!.includes('x0'))!;
    expect(concat.input).toEqual(spec.numeric);
  });
});
