/**
 * A regression tree as flat arrays. Node i is a leaf when left[i] is -1;
 * otherwise rows with x[feature[i]] <= threshold[i] go to left[i], the rest
 * to right[i]. Leaf values already include the learning rate.
 */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** Walks one row (given column-major features) down a tree. */
export function treeLeafValue(tree: Tree, x: Float32Array[], row: number): number {
  let node = 0;
  while (tree.left[node]! >= 0) {
    node = x[tree.feature[node]!]![row]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return tree.value[node]!;
}
