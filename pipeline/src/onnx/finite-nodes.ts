import type { FeatureSpec, FeatureStats } from '../features/features.ts';
import { floatScalar, node, type Node, type Tensor } from './proto.ts';

/** The graph pieces that compute the numeric features, and the names of their outputs. */
export interface NumericFeatureNodes {
  nodes: Node[];
  initializers: Tensor[];
  /** One [N, 1] float tensor per raw numeric column, then per ratio, in the spec's order. */
  outputs: string[];
}

/**
 * The numeric features under the finite rule (see `FeatureSpec`), with the
 * operators onnxruntime runs in opset 17: IsNaN/IsInf/Or find a non-finite
 * value, Where swaps in the training median, Equal finds a zero denominator,
 * Div makes the ratio and Clip clamps each feature to its training range.
 * Every Where picks a finite value, so nothing downstream sees NaN or ±Inf.
 */
export function numericFeatureNodes(spec: FeatureSpec): NumericFeatureNodes {
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const stat = (name: string): FeatureStats => spec.stats[name]!;
  /** Scalar constants for one feature's median, min and max. */
  const constants = (name: string) => {
    const { median, min, max } = stat(name);
    initializers.push(
      floatScalar(`${name}__median`, median),
      floatScalar(`${name}__min`, min),
      floatScalar(`${name}__max`, max),
    );
    return { median: `${name}__median`, min: `${name}__min`, max: `${name}__max` };
  };
  const clamp = (name: string, input: string, c: { min: string; max: string }): string => {
    nodes.push(node('Clip', [input, c.min, c.max], [name]));
    return name;
  };

  const filled = new Map<string, string>();
  const nonFinite = new Map<string, string>();
  const rawOutputs: string[] = [];
  for (const column of spec.numeric) {
    const c = constants(column);
    const bad = `${column}__non_finite`;
    nodes.push(
      node('IsNaN', [column], [`${column}__is_nan`]),
      node('IsInf', [column], [`${column}__is_inf`]),
      node('Or', [`${column}__is_nan`, `${column}__is_inf`], [bad]),
      node('Where', [bad, c.median, column], [`${column}__filled`]),
    );
    nonFinite.set(column, bad);
    filled.set(column, `${column}__filled`);
    rawOutputs.push(clamp(`${column}__clamped`, `${column}__filled`, c));
  }

  initializers.push(floatScalar('finite__zero', 0));
  const ratioOutputs = spec.ratios.map((ratio) => {
    const c = constants(ratio.name);
    const den = ratio.denominator;
    nodes.push(
      node('Equal', [den, 'finite__zero'], [`${ratio.name}__den_zero`]),
      node('Or', [nonFinite.get(den)!, `${ratio.name}__den_zero`], [`${ratio.name}__den_bad`]),
      node('Div', [filled.get(ratio.numerator)!, filled.get(den)!], [`${ratio.name}__quotient`]),
      node(
        'Where',
        [`${ratio.name}__den_bad`, c.median, `${ratio.name}__quotient`],
        [`${ratio.name}__filled`],
      ),
    );
    return clamp(ratio.name, `${ratio.name}__filled`, c);
  });
  return { nodes, initializers, outputs: [...rawOutputs, ...ratioOutputs] };
}
