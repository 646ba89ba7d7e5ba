import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importsOf, ROOT, sourceFiles, workspaces } from './source-graph.ts';

/**
 * Inside a workspace, modules import each other without a cycle, type-only imports
 * included: a cycle makes neither file readable without the other, and a value import
 * added later to a type-only cycle fails at load time, in whichever order ESM picks.
 */
function fileGraph(dir: string): Map<string, string[]> {
  const files = sourceFiles(dir);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)))
      .filter((target) => existsSync(join(ROOT, target)));
    edges.set(file, targets);
  }
  return edges;
}

describe('imports inside each workspace', () => {
  for (const { dir } of workspaces) {
    it(`${dir} has no import cycle`, () => {
      expect(findCycles(fileGraph(dir))).toEqual([]);
    });
  }

  it('a cycle is found when there is one', () => {
    const edges = new Map([
      ['app.ts', ['routes/predict.ts']],
      ['routes/predict.ts', ['app.ts']],
      ['other.ts', []],
    ]);
    expect(findCycles(edges)).toEqual(['app.ts -> routes/predict.ts -> app.ts']);
  });
});
