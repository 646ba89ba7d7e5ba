import { describe, expect, it } from 'vitest';
import { directoryHash, parseManifest } from '../src/dvc/manifest.ts';
import { ConfigurationError } from '@housing/core/errors';

describe('directoryHash (the .dir hash DVC 3 writes into data.dvc)', () => {
  it("equals the project's data.dvc for the one-file data/", () => {
    expect(
      directoryHash([{ md5: '926e9da0bad793e03c119a4f5809f65c', relpath: 'housing.csv' }]),
    ).toBe('75ab717b82da4be74ecd7573c52aeef2.dir');
  });

  it("sorts by path components and escapes non-ASCII as Python's json.dumps does", () => {
    // The hash of what Python prints for these entries, sorted by path parts:
    // [{"md5": "92eb…", "relpath": "a/b.csv"}, {"md5": "0cc1…", "relpath": "a-b.csv"},
    //  {"md5": "d41d…", "relpath": "caf\u00e9/na\u00efve \u20ac \ud83d\ude00.csv"}]
    expect(
      directoryHash([
        { md5: 'd41d8cd98f00b204e9800998ecf8427e', relpath: 'café/naïve € 😀.csv' },
        { md5: '0cc175b9c0f1b6a831c399e269772661', relpath: 'a-b.csv' },
        { md5: '92eb5ffee6ae2fec3ad71c777531578f', relpath: 'a/b.csv' },
      ]),
    ).toBe('0c413bbb26d479c244c98752b42eff16.dir');
  });
});

describe('parseManifest: one file per path', () => {
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const parse = (relpaths: string[]) =>
    parseManifest(
      Buffer.from(JSON.stringify(relpaths.map((relpath) => ({ md5, relpath })))),
      'remote/ab/cd',
    );
  const failure = (relpaths: string[]): Error => {
    try {
      parse(relpaths);
    } catch (error) {
      return error as Error;
    }
    throw new Error('parsed');
  };

  // Each of these used to fail the pull with EEXIST/EISDIR on a staging path
  // that named no manifest entry.
  for (const [relpaths, index, what] of [
    [['a.csv', 'a.csv'], 1, /'a\.csv' is listed twice/],
    [['a.csv', './a.csv'], 1, /'\.\/a\.csv' is listed twice/],
    [['a', 'a/b.csv'], 1, /'a\/b\.csv' is inside the file 'a'/],
    [['a/b.csv', 'a'], 1, /'a' is also a folder/],
    [['a/'], 0, /'a\/' does not name a file/],
    [['a\u0000b'], 0, /NUL/],
  ] as const) {
    it(`refuses ${JSON.stringify(relpaths)} naming entry [${index}]`, () => {
      const error = failure([...relpaths]);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(`remote/ab/cd: entry [${index}]`);
      expect(error.message).toMatch(what);
    });
  }

  it('accepts files side by side and in folders', () => {
    expect(parse(['a.csv', 'a/b.csv', 'a/c/d.csv', 'ab']).map((e) => e.relpath)).toEqual([
      'a.csv',
      'a/b.csv',
      'a/c/d.csv',
      'ab',
    ]);
  });
});
