import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadParams, parseParams } from '../src/params/params.ts';
import { gitTrackedRecord, orderStages, parseDvcYaml, readDvcYaml } from '../src/runner/dvcyaml.ts';
import { ConfigurationError } from '@housing/core/errors';
import { ROOT } from './helpers.ts';
import { readFile } from 'node:fs/promises';

describe('dvc.yaml', () => {
  it("orders the repository's stages validate -> train -> evaluate", async () => {
    const stages = orderStages(await readDvcYaml(join(ROOT, 'dvc.yaml')));
    expect(stages.map((s) => s.name)).toEqual(['validate', 'train', 'evaluate']);
    expect(stages[1]!.cmd[0]).toMatch(/^node --import tsx pipeline\/src\/cli\/train\.ts/);
  });

  it('orders by outputs, not by file order', () => {
    const stages = parseDvcYaml(
      'stages:\n  b:\n    cmd: use a\n    deps: [out/a.txt]\n  a:\n    cmd: make a\n    outs: [out]\n',
      'dvc.yaml',
    );
    expect(orderStages(stages).map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('reports a cycle with its path', () => {
    const stages = parseDvcYaml(
      'stages:\n  a:\n    cmd: x\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n',
      'dvc.yaml',
    );
    expect(() => orderStages(stages)).toThrow('dvc.yaml:2: stages form a cycle: a -> b -> a');
  });

  it("names what git keeps of the repository's pipeline: dvc.lock and the cache: false outputs", async () => {
    const stages = orderStages(await readDvcYaml(join(ROOT, 'dvc.yaml')));
    expect(gitTrackedRecord(stages)).toEqual([
      'dvc.lock',
      'reports/validation.json',
      'reports/training_curve.csv',
      'reports/metrics.json',
    ]);
    // The model files are DVC's to cache, and git ignores them.
    expect(stages.flatMap((s) => s.outputs)).toContain('artifacts/model.onnx');
    expect(stages.flatMap((s) => s.uncached)).not.toContain('artifacts/model.onnx');
  });

  it('reads cache: false from outs, metrics and plots, relative to wdir, and names a bad one', () => {
    const [stage] = parseDvcYaml(
      [
        'stages:',
        '  a:',
        '    wdir: sub',
        '    cmd: x',
        '    outs: [model.bin, {kept.txt: {cache: false}}, {cached.txt: {cache: true}}]',
        '    metrics: [{m.json: {cache: false}}, plain.json]',
        '    plots: [{p.csv: {cache: false, x: round}}]',
        '',
      ].join('\n'),
      'dvc.yaml',
    );
    expect(stage!.uncached).toEqual(['sub/kept.txt', 'sub/m.json', 'sub/p.csv']);
    expect(() =>
      parseDvcYaml(
        'stages:\n  a:\n    cmd: x\n    metrics:\n      - m.json:\n          cache: no\n',
        'dvc.yaml',
      ),
    ).toThrow("dvc.yaml:6: stage 'a': metrics: 'cache' must be true or false");
  });

  it('names the line of an unknown key and of a missing cmd', () => {
    expect(() => parseDvcYaml('stages:\n  a:\n    cmd: x\n    dep: [y]\n', 'dvc.yaml')).toThrow(
      /dvc\.yaml:4: stage 'a': unknown key 'dep'/,
    );
    expect(() => parseDvcYaml('stages:\n  a:\n    deps: [y]\n', 'dvc.yaml')).toThrow(
      "dvc.yaml:3: stage 'a' needs a cmd",
    );
  });
});

describe('params.yaml', () => {
  it("loads the repository's params", async () => {
    const params = await loadParams(join(ROOT, 'params.yaml'));
    expect(params.gbdt.max_leaves).toBeGreaterThan(1);
    expect(Object.keys(params.gate.metrics)).toContain('rmse');
  });

  it('names the file, line and key of a bad value', async () => {
    const text = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      'learning_rate: 0.15',
      'learning_rate: fast',
    );
    const line = text.split('\n').findIndex((l) => l.includes('learning_rate: fast')) + 1;
    expect(() => parseParams(text, 'params.yaml')).toThrow(
      `params.yaml:${line}: gbdt.learning_rate must be number`,
    );
  });

  it('names the line of an alias that expands without bound (billion laughs), without a stack', () => {
    // Nine levels of nine aliases each: 9^9 nodes if expanded.
    const lines = ['seed: 1', 'a: &a [x, x, x, x, x, x, x, x, x]'];
    let previous = 'a';
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
      previous = name;
    }
    let caught: unknown;
    try {
      parseParams(`${lines.join('\n')}\n`, 'params.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as Error).message).toMatch(/^params\.yaml:3: .*alias/);
  });

  it('names the line of an alias to an anchor that is not set', () => {
    expect(() => parseParams('seed: 1\nsplit: *nowhere\n', 'params.yaml')).toThrow(
      /^params\.yaml:2: .*alias.*nowhere/,
    );
    expect(() => parseParams('seed: 1\nsplit: *nowhere\n', 'params.yaml')).toThrow(
      ConfigurationError,
    );
  });

  it('names a missing key and an unknown one', async () => {
    const text = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      '  max_bins: 255\n',
      '  max_bin: 255\n',
    );
    expect(() => parseParams(text, 'params.yaml')).toThrow(
      /gbdt\.max_bins is required[\s\S]*gbdt must NOT have additional properties 'max_bin'/,
    );
  });
});
