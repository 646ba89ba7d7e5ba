/**
 * dvc.lock against DVC's own: the lock file of DVC's example project
 * (github.com/iterative/example-get-started, dvc.lock at commit
 * 06ea48980a34ef57041c9b905cafcb40d9c3ddbc, written by DVC 3 itself) and the
 * example of dvc.org's dvc.yaml reference ("dvc.lock file"). Our reader must
 * accept both, our writer must lay DVC's file out byte for byte, and a stage
 * recorded here from files on disk must come out in the same structure and
 * key order as DVC's record of the same stage. DVC itself cannot be installed
 * here: these files are the reference, and no real DVC has read ours.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readDvcLock, recordStage, writeDvcLock, type DvcLock } from '../src/runner/dvc-lock.ts';
import { orderStages, parseDvcYaml } from '../src/runner/dvcyaml.ts';
import { tempDir } from './helpers.ts';

/** The example project's stages, as its dvc.yaml defines them. */
const EXAMPLE_DVC_YAML = [
  'stages:',
  '  prepare:',
  '    cmd: python src/prepare.py data/data.xml',
  '    deps:',
  '    - data/data.xml',
  '    - src/prepare.py',
  '    params:',
  '    - prepare.seed',
  '    - prepare.split',
  '    outs:',
  '    - data/prepared',
  '  featurize:',
  '    cmd: python src/featurization.py data/prepared data/features',
  '    deps:',
  '    - data/prepared',
  '    - src/featurization.py',
  '    params:',
  '    - featurize.max_features',
  '    - featurize.ngrams',
  '    outs:',
  '    - data/features',
  '  train:',
  '    cmd: python src/train.py data/features model.pkl',
  '    deps:',
  '    - data/features',
  '    - src/train.py',
  '    params:',
  '    - train.min_split',
  '    - train.n_est',
  '    - train.seed',
  '    outs:',
  '    - model.pkl',
  '  evaluate:',
  '    cmd: python src/evaluate.py model.pkl data/features',
  '    deps:',
  '    - data/features',
  '    - model.pkl',
  '    - src/evaluate.py',
  '    outs:',
  '    - eval',
  '',
].join('\n');

/** Its params.yaml. */
const EXAMPLE_PARAMS = [
  'prepare:',
  '  split: 0.20',
  '  seed: 20170428',
  '',
  'featurize:',
  '  max_features: 200',
  '  ngrams: 2',
  '',
  'train:',
  '  seed: 20170428',
  '  n_est: 50',
  '  min_split: 0.01',
  '',
].join('\n');

/** Its dvc.lock, as DVC 3 wrote it. */
const EXAMPLE_DVC_LOCK = [
  "schema: '2.0'",
  'stages:',
  '  prepare:',
  '    cmd: python src/prepare.py data/data.xml',
  '    deps:',
  '    - path: data/data.xml',
  '      hash: md5',
  '      md5: 22a1a2931c8370d3aeedd7183606fd7f',
  '      size: 14445097',
  '    - path: src/prepare.py',
  '      hash: md5',
  '      md5: f54d670ac8a4f63206781fc31d1f2651',
  '      size: 2231',
  '    params:',
  '      params.yaml:',
  '        prepare.seed: 20170428',
  '        prepare.split: 0.2',
  '    outs:',
  '    - path: data/prepared',
  '      hash: md5',
  '      md5: 153aad06d376b6595932470e459ef42a.dir',
  '      size: 8437363',
  '      nfiles: 2',
  '  featurize:',
  '    cmd: python src/featurization.py data/prepared data/features',
  '    deps:',
  '    - path: data/prepared',
  '      hash: md5',
  '      md5: 153aad06d376b6595932470e459ef42a.dir',
  '      size: 8437363',
  '      nfiles: 2',
  '    - path: src/featurization.py',
  '      hash: md5',
  '      md5: e22789fc9581cad11ef7a6fa3aa3f17b',
  '      size: 4158',
  '    params:',
  '      params.yaml:',
  '        featurize.max_features: 200',
  '        featurize.ngrams: 2',
  '    outs:',
  '    - path: data/features',
  '      hash: md5',
  '      md5: f35d4cc2c552ac959ae602162b8543f3.dir',
  '      size: 2232588',
  '      nfiles: 2',
  '  train:',
  '    cmd: python src/train.py data/features model.pkl',
  '    deps:',
  '    - path: data/features',
  '      hash: md5',
  '      md5: f35d4cc2c552ac959ae602162b8543f3.dir',
  '      size: 2232588',
  '      nfiles: 2',
  '    - path: src/train.py',
  '      hash: md5',
  '      md5: 324001573ed724e5ae092226fcf9ca30',
  '      size: 1666',
  '    params:',
  '      params.yaml:',
  '        train.min_split: 0.01',
  '        train.n_est: 50',
  '        train.seed: 20170428',
  '    outs:',
  '    - path: model.pkl',
  '      hash: md5',
  '      md5: d1f6e055f7f5e2827fcfae68d9b64d4c',
  '      size: 1958115',
  '  evaluate:',
  '    cmd: python src/evaluate.py model.pkl data/features',
  '    deps:',
  '    - path: data/features',
  '      hash: md5',
  '      md5: f35d4cc2c552ac959ae602162b8543f3.dir',
  '      size: 2232588',
  '      nfiles: 2',
  '    - path: model.pkl',
  '      hash: md5',
  '      md5: d1f6e055f7f5e2827fcfae68d9b64d4c',
  '      size: 1958115',
  '    - path: src/evaluate.py',
  '      hash: md5',
  '      md5: a1a59f55636170fb56e0c6afd3e28fa4',
  '      size: 3315',
  '    outs:',
  '    - path: eval',
  '      hash: md5',
  '      md5: 80a081570c800c60b9b98ca4b3c91dd7.dir',
  '      size: 1292342',
  '      nfiles: 8',
  '',
].join('\n');

/** dvc.org's example in its dvc.yaml reference (an older layout: no `hash`, deps without size). */
const DOCS_DVC_LOCK = [
  "schema: '2.0'",
  'stages:',
  '  features:',
  '    cmd: jupyter nbconvert --execute featurize.ipynb',
  '    deps:',
  '      - path: data/clean',
  '        md5: d8b874c5fa18c32b2d67f73606a1be60',
  '    params:',
  '      params.yaml:',
  '        levels.no: 5',
  '    outs:',
  '      - path: features',
  '        md5: 2119f7661d49546288b73b5730d76485',
  '        size: 154683',
  '      - path: performance.json',
  '        md5: ea46c1139d771bfeba7942d1fbb5981e',
  '        size: 975',
  '      - path: logs.csv',
  '        md5: f99aac37e383b422adc76f5f1fb45004',
  '        size: 695947',
  '',
].join('\n');

/**
 * The files the example's stages read and write, with contents of our own:
 * as many files in each folder as DVC counted (`nfiles`).
 */
const EXAMPLE_FILES = [
  'data/data.xml',
  'src/prepare.py',
  'src/featurization.py',
  'src/train.py',
  'src/evaluate.py',
  'data/prepared/train.tsv',
  'data/prepared/test.tsv',
  'data/features/train.pkl',
  'data/features/test.pkl',
  'model.pkl',
  'eval/metrics.json',
  'eval/plots/images/importance.png',
  ...['roc', 'cm', 'prc'].flatMap((plot) =>
    ['train', 'test'].map((split) => `eval/plots/sklearn/${plot}/${split}.json`),
  ),
];

/** A lock's text with its hashes and sizes blanked: what is left is the layout. */
const layout = (text: string) =>
  text.replace(/md5: [0-9a-f]{32}/g, 'md5: <md5>').replace(/size: \d+/g, 'size: <size>');

async function writeLockText(text: string): Promise<string> {
  const file = join(await tempDir('dvc-lock-format-'), 'dvc.lock');
  await writeFile(file, text);
  return file;
}

describe("dvc.lock, against DVC's own", () => {
  it("reads the lock file DVC 3 wrote for its example project, and dvc.org's example", async () => {
    const lock = await readDvcLock(await writeLockText(EXAMPLE_DVC_LOCK));
    expect(lock.schema).toBe('2.0');
    expect(Object.keys(lock.stages)).toEqual(['prepare', 'featurize', 'train', 'evaluate']);
    expect(lock.stages.prepare!.params).toEqual({
      'params.yaml': { 'prepare.seed': 20170428, 'prepare.split': 0.2 },
    });
    expect(lock.stages.featurize!.outs).toEqual([
      {
        path: 'data/features',
        hash: 'md5',
        md5: 'f35d4cc2c552ac959ae602162b8543f3.dir',
        size: 2232588,
        nfiles: 2,
      },
    ]);
    const docs = await readDvcLock(await writeLockText(DOCS_DVC_LOCK));
    expect(docs.stages.features!.params).toEqual({ 'params.yaml': { 'levels.no': 5 } });
    expect(docs.stages.features!.outs!.map((out) => out.path)).toEqual([
      'features',
      'performance.json',
      'logs.csv',
    ]);
  });

  it("writes DVC's file back byte for byte: same indentation, quoting and key order", async () => {
    const file = await writeLockText(EXAMPLE_DVC_LOCK);
    const lock = await readDvcLock(file);
    await writeDvcLock(file, lock, Object.keys(lock.stages));
    expect(await readFile(file, 'utf8')).toBe(EXAMPLE_DVC_LOCK);
  });

  it("records the example's stages from files on disk in the layout DVC wrote for them", async () => {
    const repo = await tempDir('dvc-lock-example-');
    for (const [i, path] of EXAMPLE_FILES.entries()) {
      await mkdir(dirname(join(repo, path)), { recursive: true });
      await writeFile(join(repo, path), `file ${i}: ${path}\n`);
    }
    const stages = orderStages(parseDvcYaml(EXAMPLE_DVC_YAML, 'dvc.yaml'));
    const params: unknown = parse(EXAMPLE_PARAMS);
    const lock: DvcLock = { schema: '2.0', stages: {} };
    for (const stage of stages) lock.stages[stage.name] = await recordStage(stage, repo, params);
    const file = join(repo, 'dvc.lock');
    await writeDvcLock(
      file,
      lock,
      stages.map((stage) => stage.name),
    );
    const ours = await readFile(file, 'utf8');
    // Only the hashes and sizes differ (the files are ours); a folder's hash still ends in .dir.
    expect(layout(ours)).toBe(layout(EXAMPLE_DVC_LOCK));
    expect(ours).not.toBe(EXAMPLE_DVC_LOCK);
  });

  it('writes a params section two stages track in full in each, as DVC does, with no YAML alias', async () => {
    const repo = await tempDir('dvc-lock-shared-params-');
    await writeFile(join(repo, 'in.txt'), 'x\n');
    const stages = parseDvcYaml(
      'stages:\n  a:\n    cmd: a\n    params: [split]\n  b:\n    cmd: b\n    params: [split, seed]\n',
      'dvc.yaml',
    );
    const params: unknown = parse('seed: 42\nsplit:\n  test_size: 0.2\n');
    const lock: DvcLock = { schema: '2.0', stages: {} };
    for (const stage of stages) lock.stages[stage.name] = await recordStage(stage, repo, params);
    const file = join(repo, 'dvc.lock');
    await writeDvcLock(file, lock, ['a', 'b']);
    expect(await readFile(file, 'utf8')).toBe(
      [
        "schema: '2.0'",
        'stages:',
        '  a:',
        '    cmd: a',
        '    params:',
        '      params.yaml:',
        '        split:',
        '          test_size: 0.2',
        '  b:',
        '    cmd: b',
        '    params:',
        '      params.yaml:',
        '        seed: 42',
        '        split:',
        '          test_size: 0.2',
        '',
      ].join('\n'),
    );
  });
});
