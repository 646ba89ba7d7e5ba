import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { quoteInput } from '@housing/core/errors';
import {
  ModelCardSchema,
  ReferenceProfileSchema,
  type ColumnProfile,
  type ModelCard,
  type ReferenceProfile,
} from './schema.ts';

/** One thing wrong with a card: the JSON Pointer of the field and what is wrong with it. */
export interface CardProblem {
  /** RFC 6901 JSON Pointer from the card's root, e.g. `/metrics/rmse`. */
  path: string;
  message: string;
}

/** How far two shares may sum from 1 and still be read as a distribution (float rounding). */
const SHARE_SUM_TOLERANCE = 1e-6;

/** Where the profiles are, from the card's root. */
export const PROFILE_ROOT = '/reference_profile';

// strict: a schema keyword ajv does not know is a mistake here, not a comment.
// verbose: each error carries the value it is about, which the message quotes.
const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
const validateCard = ajv.compile<ModelCard>(ModelCardSchema);
const validateProfile = ajv.compile<ReferenceProfile>(ReferenceProfileSchema);

/** A name as one JSON Pointer segment (RFC 6901). */
export function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The pointer of a column's profile. */
export const profilePath = (name: string): string =>
  `${PROFILE_ROOT}/columns/${escapePointer(name)}`;

/**
 * Everything wrong with a value read as a model card: its shape against the
 * schema, then what a schema cannot say: bins and shares that agree, and a
 * profile of the right kind for every graph input (the drift monitor bins
 * it, the warm-up row takes its median) and for the target (the prediction
 * histogram's buckets). Empty when the card is usable.
 */
export function cardProblems(value: unknown): CardProblem[] {
  if (!validateCard(value)) return schemaProblems(validateCard, '');
  const card = value;
  const columns = card.reference_profile.columns;
  return [
    ...profileConsistencyProblems(columns),
    ...card.onnx.inputs.flatMap(({ name, type }) =>
      profileKindProblems(
        columns,
        name,
        type === 'float' ? 'numeric' : 'categorical',
        "the graph's inputs",
      ),
    ),
    ...profileKindProblems(columns, card.target, 'numeric', 'the target'),
  ];
}

/**
 * Everything wrong with a card's `reference_profile` alone, for a reader that
 * needs only it (drift measured against production): the same schema and the
 * same consistency rules as {@link cardProblems}, at the same pointers.
 */
export function referenceProfileProblems(profile: unknown): CardProblem[] {
  if (!validateProfile(profile)) return schemaProblems(validateProfile, PROFILE_ROOT);
  return profileConsistencyProblems(profile.columns);
}

/** The columns of `names` that have no profile, in the order given. */
export function missingProfiles(
  columns: Record<string, ColumnProfile>,
  names: readonly string[],
): string[] {
  return names.filter((name) => !Object.hasOwn(columns, name));
}

/**
 * The column must have a profile of `kind`, as `source` (the data contract,
 * the graph's inputs) says it is: a problem at its pointer otherwise.
 */
export function profileKindProblems(
  columns: Record<string, ColumnProfile>,
  name: string,
  kind: ColumnProfile['kind'],
  source: string,
): CardProblem[] {
  const path = profilePath(name);
  const profile = Object.hasOwn(columns, name) ? columns[name] : undefined;
  if (!profile) return [{ path, message: `is required by ${source}` }];
  if (profile.kind === kind) return [];
  return [
    { path: `${path}/kind`, message: `must be "${kind}", as in ${source}, got "${profile.kind}"` },
  ];
}

/** Bins and shares that agree: edges increase, one share per bin, shares summing to 1. */
function profileConsistencyProblems(columns: Record<string, ColumnProfile>): CardProblem[] {
  return Object.entries(columns).flatMap(([name, profile]) => {
    const path = profilePath(name);
    const bins = profile.kind === 'numeric' ? profile.edges.length + 1 : profile.categories.length;
    const problems: CardProblem[] = [];
    if (profile.kind === 'numeric') {
      const at = profile.edges.findIndex((edge, i) => i > 0 && !(edge > profile.edges[i - 1]!));
      if (at > 0)
        problems.push({
          path: `${path}/edges/${at}`,
          message: `must be above edges[${at - 1}] (bin edges increase)`,
        });
    }
    if (profile.shares.length !== bins)
      problems.push({
        path: `${path}/shares`,
        message: `must have one share per ${profile.kind === 'numeric' ? 'bin' : 'category'} (${bins}), not ${profile.shares.length}`,
      });
    else {
      // The reference's values all fall in some bin: shares that do not sum to 1 make PSI meaningless.
      const sum = profile.shares.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > SHARE_SUM_TOLERANCE)
        problems.push({ path: `${path}/shares`, message: `must sum to 1, got ${sum}` });
    }
    return problems;
  });
}

/**
 * ajv's errors as problems, each at its JSON Pointer below `root`, with the
 * value quoted; the `if` of an if/then choice (a profile's kind) left out.
 * Exported for other documents checked the same way (the pipeline's model.json).
 */
export function schemaProblems(validate: ValidateFunction, root: string): CardProblem[] {
  const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(describe);
  const listed = problems.length > 0 ? problems : [{ path: '', message: 'does not match' }];
  return listed.map((p) => ({ path: `${root}${p.path}`, message: p.message }));
}

/** One ajv error as a pointer and what is wrong, a missing field named by its own pointer. */
function describe(e: ErrorObject): CardProblem {
  if (e.keyword === 'required')
    return {
      path: `${e.instancePath}/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`,
      message: 'is required',
    };
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  const message = allowed
    ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
    : (e.message ?? e.keyword);
  return { path: e.instancePath, message: `${message}, got ${shown(e.data)}` };
}

/** A value for a message: scalars quoted and cut short (the card is untrusted), containers named. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return quoteInput(value, 40);
}
