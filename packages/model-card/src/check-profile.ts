import {
  missingProfiles,
  profileKindProblems,
  PROFILE_ROOT,
  referenceProfileProblems,
  type CardProblem,
} from './check.ts';
import type { ColumnProfile, ReferenceProfile } from './schema.ts';

/** A column a reference profile must cover, with the kind of profile it must have. */
export interface ProfiledColumn {
  name: string;
  kind: ColumnProfile['kind'];
}

/**
 * Checks a card's `reference_profile` before drift is measured against it.
 * A profile read from disk is untrusted: a missing column would silently drop
 * that column's drift check, and malformed bins would make PSI meaningless,
 * so either would let drifted data pass. The profile is checked by the card's
 * own schema and rules ({@link referenceProfileProblems}); then every column
 * of `columns` (from `source`, e.g. the data contract) must have a profile of
 * its kind. Returns the problems by JSON Pointer, none when the profile is usable.
 */
export function profileCoverageProblems(
  profile: unknown,
  columns: readonly ProfiledColumn[],
  source: string,
): CardProblem[] {
  const problems = referenceProfileProblems(profile);
  if (problems.length > 0) return problems;
  const profiles = (profile as ReferenceProfile).columns;
  const missing = missingProfiles(
    profiles,
    columns.map((c) => c.name),
  );
  // One problem for all of them: a profile of other columns usually lacks many.
  if (missing.length > 0)
    return [
      {
        path: `${PROFILE_ROOT}/columns`,
        message: `no profile for ${missing.join(', ')} (columns of ${source}; the reference was profiled on other columns)`,
      },
    ];
  return columns.flatMap(({ name, kind }) => profileKindProblems(profiles, name, kind, source));
}

/**
 * A JSON Pointer into `document` written as people read a path in code:
 * `/reference_profile/columns/x/edges/0` is `reference_profile.columns.x.edges[0]`.
 * A segment is an index only where `document` holds a list, so a column named `0` stays a name.
 */
export function dottedPath(pointer: string, document: unknown): string {
  let at: unknown = document;
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    out += Array.isArray(at) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
    at =
      typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}
