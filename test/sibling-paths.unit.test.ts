import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackedFiles } from './git-index.ts';
import { ROOT } from './source-graph.ts';

/**
 * A fork's checkout has nothing beside it: the data comes from the remote the fork names
 * (README.md, "A fork's data remote") into data/, and tests read that or fixtures of their
 * own. So no tracked file may reach for this machine's `../shared` (the dataset and the
 * local DVC remote beside the checkout) except these, each for the reason given.
 */
const ALLOWED = new Map([
  ['.dvc/config', "the committed remote: this repository's own CI pulls from the local one"],
  ['.ci/run', "this repository's CI: checks the local remote is there, then pulls from it"],
  ['README.md', 'explains the local remote, and how a fork names its own instead'],
  [
    'BENCHMARKS.md',
    'describes the machine, with the local remote beside it, the timings come from',
  ],
  ['test/sibling-paths.unit.test.ts', 'this test, which names what it looks for'],
  [
    'test/workflow-walk.test.ts',
    'puts a step reading ../shared into an in-memory copy of deploy.yml, and shows the walk fails it',
  ],
]);

/** Always a reference to the machine's shared folder. */
const ALWAYS = [/SHARED_DIR/g, /shared\/dvc-remote/g, /['"]\.\.['"]\s*,\s*['"]shared['"]/g];
/** `../shared`, `../../shared`...: a sibling unless, from the file's folder, it is a folder of the repository. */
const RELATIVE = /(?:\.\.\/)+shared\b/g;

/** Each place in `text` (the file `file`, from the root) that names a sibling path, as `file:line: text`. */
function siblingReferences(file: string, text: string, root = ROOT): string[] {
  const found: { index: number; text: string }[] = [];
  for (const pattern of ALWAYS)
    for (const m of text.matchAll(pattern)) found.push({ index: m.index, text: m[0] });
  for (const m of text.matchAll(RELATIVE)) {
    const target = resolve(root, dirname(file), m[0]);
    const inside = !relative(root, target).startsWith('..');
    // actions/*/src importing `../../shared/exec.ts` is actions/shared, a folder of the repository.
    if (!inside || !existsSync(target)) found.push({ index: m.index, text: m[0] });
  }
  return found
    .sort((a, b) => a.index - b.index)
    .map((f) => `${file}:${text.slice(0, f.index).split('\n').length}: ${f.text}`);
}

describe('no tracked file reaches for a path beside the checkout', () => {
  it('names ../shared, SHARED_DIR or shared/dvc-remote only in the allowed files', () => {
    const files = trackedFiles(ROOT).filter((file) => !ALLOWED.has(file));
    expect(files.length).toBeGreaterThan(100);
    const found = files
      .filter((file) => existsSync(join(ROOT, file)))
      .flatMap((file) => siblingReferences(file, readFileSync(join(ROOT, file), 'latin1')));
    expect(found).toEqual([]);
  });

  it('allows only files that exist and still name the local remote', () => {
    for (const file of ALLOWED.keys())
      expect(readFileSync(join(ROOT, file), 'utf8'), file).toMatch(
        /\.\.\/shared|SHARED_DIR|shared\/dvc-remote/,
      );
  });

  it('tells a sibling path from a folder of the repository', () => {
    expect(
      siblingReferences('pipeline/bench/run.ts', "const DATA = '../shared/datasets/x.csv';"),
    ).toEqual(['pipeline/bench/run.ts:1: ../shared']);
    expect(
      siblingReferences('actions/deploy/src/a.ts', "import { x } from '../../shared/exec.ts';"),
    ).toEqual([]);
    expect(
      siblingReferences('actions/test/a.ts', "\nconst s = join(ROOT, '..', 'shared');"),
    ).toEqual(["actions/test/a.ts:2: '..', 'shared'"]);
    expect(siblingReferences('x.ts', 'process.env.SHARED_DIR')).toEqual(['x.ts:1: SHARED_DIR']);
    expect(siblingReferences('.dvc/other', 'url = ../../shared/dvc-remote')).toEqual([
      '.dvc/other:1: ../../shared',
      '.dvc/other:1: shared/dvc-remote',
    ]);
  });
});
