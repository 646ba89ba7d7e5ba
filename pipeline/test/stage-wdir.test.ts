import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orderStages, parseDvcYaml } from '../src/runner/dvcyaml.ts';
import { runStages } from '../src/runner/run-stages.ts';
import { ConfigurationError } from '@housing/core/errors';
import { silentLogger } from '@housing/core/logger';
import { tempDir } from './helpers.ts';

// dvc.yaml accepted wdir and frozen (DVC's keys) and the built-in runner
// ignored both: a stage with wdir ran from the repository root, and a
// frozen stage ran although dvc repro skips it.
describe('the built-in runner honours wdir and frozen as dvc repro does', () => {
  const DVC_YAML = [
    'stages:',
    '  use:',
    '    cmd: cat sub/made.txt > used.txt',
    '    deps: [sub/made.txt]',
    '    outs: [used.txt]',
    '  make:',
    '    wdir: sub',
    '    cmd: basename "$PWD" > made.txt',
    '    outs: [made.txt]',
    '  skipped:',
    '    frozen: true',
    '    cmd: touch frozen-ran.txt',
    '',
  ].join('\n');

  it('runs a wdir stage from its folder, orders by its paths from the root, and skips a frozen one', async () => {
    const repo = await tempDir('stage-wdir-');
    await mkdir(join(repo, 'sub'));
    const stages = orderStages(parseDvcYaml(DVC_YAML, 'dvc.yaml'));
    expect(stages.map((s) => s.name).slice(0, 2)).toEqual(['make', 'use']);
    await runStages(stages, repo, silentLogger);
    expect(await readFile(join(repo, 'sub/made.txt'), 'utf8')).toBe('sub\n');
    expect(await readFile(join(repo, 'used.txt'), 'utf8')).toBe('sub\n');
    expect((await readdir(repo)).sort()).toEqual(['sub', 'used.txt']);
  });

  it('refuses a wdir outside the repository, naming dvc.yaml:line', () => {
    for (const wdir of ['..', '/tmp', 'a/../..']) {
      let caught: unknown;
      try {
        parseDvcYaml(`stages:\n  a:\n    wdir: ${wdir}\n    cmd: x\n`, 'dvc.yaml');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigurationError);
      expect((caught as Error).message).toMatch(/^dvc\.yaml:3: .*wdir/);
    }
  });
});
