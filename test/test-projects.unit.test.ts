import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, ROOT, sourceFiles, workspaces } from './source-graph.ts';

/**
 * The unit project (`*.unit.test.ts`) must run with nothing but the checkout: no child
 * process, no server, no trained model, no program outside Node. A test that needs any of
 * them belongs in a plain `*.test.ts` (the integration project); this keeps the suffix true.
 */
const FORBIDDEN_IMPORTS = [
  'node:child_process',
  'node:net',
  'node:worker_threads',
  'onnxruntime-node',
  '@housing/test-support/programs',
  '@housing/test-support/process-tree',
  '@housing/test-support/dockerfile',
  '@housing/test-support/model-fixture',
];
const FORBIDDEN_CALLS =
  /\b(createServer|startService|startStack|trainModel|trainedModel|fetch)\s*\(|\.listen\s*\(/;

/** What in one unit test file needs more than the checkout, as `file: why`. */
function outsideUnit(file: string, text: string, imports: string[]): string[] {
  const found = imports
    .filter((specifier) => FORBIDDEN_IMPORTS.includes(specifier))
    .map((specifier) => `${file}: imports ${specifier}`);
  const call = FORBIDDEN_CALLS.exec(text);
  if (call) found.push(`${file}: calls ${call[0].trim()}`);
  return found;
}

const testFiles = [...workspaces.map((w) => w.dir), 'test']
  .flatMap((dir) => sourceFiles(dir))
  .filter((file) => file.endsWith('.test.ts'));

describe('test projects', () => {
  it('keeps every unit test file free of processes, servers, trained models and programs', () => {
    // This file names what it forbids, so it is read by its own second test, not here.
    const unit = testFiles.filter(
      (file) => file.endsWith('.unit.test.ts') && file !== 'test/test-projects.unit.test.ts',
    );
    expect(unit.length).toBeGreaterThan(0);
    const problems = unit.flatMap((file) =>
      outsideUnit(file, readFileSync(join(ROOT, file), 'utf8'), importsOf(file)),
    );
    expect(problems).toEqual([]);
  });

  it('names what a unit test must not use', () => {
    expect(outsideUnit('a.unit.test.ts', 'spawnSync(x)', ['node:child_process'])).toEqual([
      'a.unit.test.ts: imports node:child_process',
    ]);
    expect(outsideUnit('b.unit.test.ts', 'await server.listen(0)', [])).toEqual([
      'b.unit.test.ts: calls .listen(',
    ]);
    expect(outsideUnit('c.unit.test.ts', 'const dir = await trainModel();', [])).toEqual([
      'c.unit.test.ts: calls trainModel(',
    ]);
    expect(outsideUnit('d.unit.test.ts', 'parseFlags([])', ['vitest'])).toEqual([]);
  });
});
