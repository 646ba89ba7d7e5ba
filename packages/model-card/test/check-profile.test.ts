import { describe, expect, it } from 'vitest';
import { dottedPath, profileCoverageProblems } from '../src/check-profile.ts';
import { sampleCard } from './sample-card.ts';

const COLUMNS = [
  { name: 'median_income', kind: 'numeric' as const },
  { name: 'ocean_proximity', kind: 'categorical' as const },
];

describe('profileCoverageProblems (drift against a production card)', () => {
  it('accepts a profile that covers every column with its kind', () => {
    expect(
      profileCoverageProblems(sampleCard().reference_profile, COLUMNS, 'the data contract'),
    ).toEqual([]);
  });

  it('names every column without a profile in one problem', () => {
    const profile = { ...sampleCard().reference_profile, columns: {} };
    expect(profileCoverageProblems(profile, COLUMNS, 'the data contract')).toEqual([
      {
        path: '/reference_profile/columns',
        message:
          'no profile for median_income, ocean_proximity (columns of the data contract; the reference was profiled on other columns)',
      },
    ]);
  });

  it('names a profile of the wrong kind', () => {
    const profile = sampleCard().reference_profile;
    profile.columns.median_income = profile.columns.ocean_proximity!;
    expect(profileCoverageProblems(profile, COLUMNS, 'the data contract')).toEqual([
      {
        path: '/reference_profile/columns/median_income/kind',
        message: 'must be "numeric", as in the data contract, got "categorical"',
      },
    ]);
  });

  it("checks the profile by the card's schema first, at the card's pointers", () => {
    expect(profileCoverageProblems({ rows: 3 }, COLUMNS, 'c')).toEqual([
      { path: '/reference_profile/bins', message: 'is required' },
      { path: '/reference_profile/columns', message: 'is required' },
    ]);
  });
});

describe('dottedPath', () => {
  it('writes a pointer as a path in code, with indexes only where the document holds a list', () => {
    const card = { reference_profile: { columns: { x: { edges: [1, 2] }, '0': { a: 1 } } } };
    expect(dottedPath('/reference_profile/columns/x/edges/1', card)).toBe(
      'reference_profile.columns.x.edges[1]',
    );
    expect(dottedPath('/reference_profile/columns/0/a', card)).toBe(
      'reference_profile.columns.0.a',
    );
    expect(dottedPath('/a~1b/c~0d', {})).toBe('a/b.c~d');
    expect(dottedPath('', card)).toBe('');
  });
});
