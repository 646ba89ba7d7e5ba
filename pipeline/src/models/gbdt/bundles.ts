/**
 * Exclusive feature bundling (LightGBM's EFB, for two-bin features only):
 * two-bin features that are never in their upper bin on the same row, as
 * one-hot columns are, share one histogram pass. The bundle's column holds,
 * per row, which member is in its upper bin (1 + its place) or 0 for none;
 * a member's upper bin is its bundle slot and its lower bin is the node's
 * total minus that. Five one-hot columns cost one pass instead of five, and
 * histogram passes are most of a fit's time.
 */

/** Two-bin features sharing one pass: `members[j]` is counted in slot j + 1 of the bundle. */
export interface Bundle {
  members: Int32Array;
  /** Per row: 0, or 1 + the place in `members` of the member in its upper bin. */
  column: Uint8Array;
}

/** A bundle holds at most this many members, so that its column fits a byte. */
const MAX_MEMBERS = 254;

/**
 * Groups the two-bin features among `candidates` (features with one edge)
 * whose upper bins never meet on a row, greedily in feature order, so that
 * the same data always gives the same bundles. Only groups of two or more
 * are returned: a lone feature is cheaper as a pass of its own.
 */
export function findBundles(columns: Uint8Array[], candidates: number[]): Bundle[] {
  const rows = columns[0]?.length ?? 0;
  const open: { members: number[]; column: Uint8Array }[] = [];
  for (const f of candidates) {
    const bins = columns[f]!;
    const home = open.find((b) => b.members.length < MAX_MEMBERS && !overlaps(b.column, bins, rows));
    const bundle = home ?? { members: [], column: new Uint8Array(rows) };
    if (!home) open.push(bundle);
    bundle.members.push(f);
    const code = bundle.members.length;
    for (let i = 0; i < rows; i++) if (bins[i] === 1) bundle.column[i] = code;
  }
  return open
    .filter((b) => b.members.length > 1)
    .map((b) => ({ members: Int32Array.from(b.members), column: b.column }));
}

function overlaps(bundle: Uint8Array, bins: Uint8Array, rows: number): boolean {
  for (let i = 0; i < rows; i++) if (bundle[i] !== 0 && bins[i] === 1) return true;
  return false;
}

/**
 * Fills each member's two bins in `hist` ([gradient, count] pairs; a
 * feature's bins start at `offsets[f]`, a bundle's slots at `bases[k]`, both
 * in pairs) from its bundle's slots and the node's totals. An empty lower bin
 * gets a gradient of exactly 0, as a counted one would, so that the split
 * search skips it.
 */
export function expandBundles(
  bundles: Bundle[],
  bases: Int32Array,
  offsets: Int32Array,
  hist: Float64Array,
  grad: number,
  count: number,
): void {
  bundles.forEach((bundle, k) => {
    const { members } = bundle;
    for (let j = 0; j < members.length; j++) {
      const s = (bases[k]! + j + 1) * 2;
      const o = offsets[members[j]!]! * 2;
      const upperGrad = hist[s]!;
      const upperCount = hist[s + 1]!;
      const lowerCount = count - upperCount;
      hist[o] = lowerCount === 0 ? 0 : grad - upperGrad;
      hist[o + 1] = lowerCount;
      hist[o + 2] = upperGrad;
      hist[o + 3] = upperCount;
    }
  });
}
