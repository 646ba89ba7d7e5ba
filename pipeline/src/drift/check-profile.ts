import type { ContractColumns } from '../contract/contract.ts';

/**
 * Checks a card's `reference_profile` before drift is measured against it.
 * A profile read from disk is untrusted: a missing column would silently drop
 * that column's drift check, and malformed bins would make PSI meaningless,
 * so either would let drifted data pass. Returns the first problem, as a JSON
 * path and what is wrong with it, or undefined when the profile is usable.
 */
export function referenceProfileProblem(
  profile: unknown,
  columns: ContractColumns,
): string | undefined {
  const root = 'reference_profile';
  if (!isObject(profile)) return `${root} must be an object`;
  const rows = profile.rows;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1)
    return `${root}.rows must be a whole number of rows >= 1, got ${show(rows)}`;
  const profiles = profile.columns;
  if (!isObject(profiles)) return `${root}.columns must be an object`;
  const missing = columns.all.filter((c) => !Object.hasOwn(profiles, c));
  if (missing.length > 0)
    return `${root}.columns: no profile for ${missing.join(', ')} (columns of the data contract; the production model was trained on other columns)`;
  const categorical = new Set(columns.categorical.map((c) => c.name));
  for (const name of columns.all) {
    const path = `${root}.columns.${name}`;
    const problem = columnProblem(profiles[name], categorical.has(name), path);
    if (problem) return problem;
  }
  return undefined;
}

function columnProblem(column: unknown, categorical: boolean, path: string): string | undefined {
  if (!isObject(column)) return `${path} must be an object`;
  const kind = categorical ? 'categorical' : 'numeric';
  if (column.kind !== kind)
    return `${path}.kind must be "${kind}", as in the data contract, got ${show(column.kind)}`;
  if (categorical) {
    const { categories } = column;
    if (!Array.isArray(categories) || categories.length === 0)
      return `${path}.categories must be a non-empty list`;
    const bad = categories.findIndex((c) => typeof c !== 'string');
    if (bad >= 0) return `${path}.categories[${bad}] must be a string`;
    return sharesProblem(column.shares, categories.length, `${path}.shares`);
  }
  const { edges } = column;
  if (!Array.isArray(edges)) return `${path}.edges must be a list of bin edges`;
  for (let i = 0; i < edges.length; i++) {
    const edge: unknown = edges[i];
    if (typeof edge !== 'number' || !Number.isFinite(edge))
      return `${path}.edges[${i}] must be a finite number, got ${show(edge)}`;
    if (i > 0 && edge <= (edges[i - 1] as number))
      return `${path}.edges[${i}] must be above edges[${i - 1}] (bin edges increase)`;
  }
  return sharesProblem(column.shares, edges.length + 1, `${path}.shares`);
}

/** Shares: one per bin, each in [0, 1], summing to 1 (the reference's values all fall in some bin). */
function sharesProblem(shares: unknown, bins: number, path: string): string | undefined {
  if (!Array.isArray(shares) || shares.length !== bins)
    return `${path} must be a list of ${bins} shares (one per bin), got ${Array.isArray(shares) ? `${shares.length}` : show(shares)}`;
  let sum = 0;
  for (let i = 0; i < shares.length; i++) {
    const share: unknown = shares[i];
    if (typeof share !== 'number' || !(share >= 0 && share <= 1))
      return `${path}[${i}] must be a number in [0, 1], got ${show(share)}`;
    sum += share;
  }
  if (Math.abs(sum - 1) > 1e-6) return `${path} must sum to 1, got ${sum}`;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value for an error message, cut short: the card is untrusted input. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
