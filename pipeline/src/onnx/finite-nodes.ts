import type { FeatureSpec, FeatureStats } from '../features/features.ts';
import { floatScalar, floatVector, int, int64Vector, node } from './proto.ts';
import type { Node, Tensor } from './proto.ts';

/** The graph pieces that compute the numeric features, and what their outputs hold. */
export interface NumericFeatureNodes {
  nodes: Node[];
  initializers: Tensor[];
  /**
   * [N, k] float tensors, each finite but not yet clamped: the raw numeric
   * columns (filled), then the ratios, in the spec's order. The caller
   * concatenates them and clamps the result with {@link clampNodes}.
   */
  outputs: string[];
  /** The training range of each column of `outputs`, in order. */
  min: number[];
  max: number[];
}

/**
 * The numeric features under the finite rule (see `FeatureSpec`), computed on
 * whole [N, P] tensors rather than one [N, 1] column at a time: onnxruntime's
 * cost for one call of a small batch is mostly a fixed cost per node, so the
 * rule takes 10 nodes whatever the number of columns (it took 5 a column and
 * 5 a ratio, 55 in all).
 *
 * - Concat gathers the raw inputs into one [N, P] tensor.
 * - x·0 is NaN exactly when x is NaN or ±Inf (0 or -0 otherwise), so Mul and
 *   IsNaN find the non-finite values, and Where swaps in each column's
 *   training median (a [P] vector, broadcast over the rows).
 * - Gather takes each ratio's filled numerators and raw denominators; Div
 *   makes the quotients. d/d is NaN exactly when d is 0, NaN or ±Inf (1
 *   otherwise, subnormals too), so IsNaN(d/d) finds the denominators that
 *   cannot give a ratio, and Where swaps in the ratio's training median.
 *
 * Every Where picks a finite value, so nothing downstream sees NaN; a
 * quotient that overflowed to ±Inf is clamped later.
 */
export function numericFeatureNodes(spec: FeatureSpec): NumericFeatureNodes {
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const stat = (name: string): FeatureStats => spec.stats[name]!;
  const medians = (names: string[]) => names.map((name) => stat(name).median);
  const columns = spec.numeric;
  const ratios = spec.ratios;
  const outputs: string[] = [];
  if (columns.length > 0) {
    initializers.push(
      floatScalar('finite__zero', 0),
      floatVector('numeric__median', medians(columns)),
    );
    nodes.push(
      node('Concat', columns, ['numeric__raw'], '', [int('axis', 1)]),
      node('Mul', ['numeric__raw', 'finite__zero'], ['numeric__raw_times_zero']),
      node('IsNaN', ['numeric__raw_times_zero'], ['numeric__non_finite']),
      node(
        'Where',
        ['numeric__non_finite', 'numeric__median', 'numeric__raw'],
        ['numeric__filled'],
      ),
    );
    outputs.push('numeric__filled');
  }
  if (ratios.length > 0) {
    const at = (column: string) => BigInt(columns.indexOf(column));
    initializers.push(
      int64Vector(
        'ratio__numerator_index',
        ratios.map((r) => at(r.numerator)),
      ),
      int64Vector(
        'ratio__denominator_index',
        ratios.map((r) => at(r.denominator)),
      ),
      floatVector('ratio__median', medians(ratios.map((r) => r.name))),
    );
    const gather = (from: string, index: string, to: string) =>
      node('Gather', [from, index], [to], '', [int('axis', 1)]);
    nodes.push(
      gather('numeric__filled', 'ratio__numerator_index', 'ratio__numerator'),
      gather('numeric__raw', 'ratio__denominator_index', 'ratio__denominator'),
      node('Div', ['ratio__numerator', 'ratio__denominator'], ['ratio__quotient']),
      node('Div', ['ratio__denominator', 'ratio__denominator'], ['ratio__denominator_over_itself']),
      node('IsNaN', ['ratio__denominator_over_itself'], ['ratio__denominator_bad']),
      node(
        'Where',
        ['ratio__denominator_bad', 'ratio__median', 'ratio__quotient'],
        ['ratio__filled'],
      ),
    );
    outputs.push('ratio__filled');
  }
  const names = [...columns, ...ratios.map((r) => r.name)];
  return {
    nodes,
    initializers,
    outputs,
    min: names.map((name) => stat(name).min),
    max: names.map((name) => stat(name).max),
  };
}

/**
 * Clamps each column of an [N, F] tensor to its own range: Max then Min
 * against [F] vectors (Clip takes only scalar bounds), which is the
 * TypeScript transform's `Math.min(max, Math.max(min, v))`.
 */
export function clampNodes(
  input: string,
  output: string,
  min: number[],
  max: number[],
): { nodes: Node[]; initializers: Tensor[] } {
  return {
    initializers: [floatVector(`${output}__min`, min), floatVector(`${output}__max`, max)],
    nodes: [
      node('Max', [input, `${output}__min`], [`${output}__at_least_min`]),
      node('Min', [`${output}__at_least_min`, `${output}__max`], [output]),
    ],
  };
}
