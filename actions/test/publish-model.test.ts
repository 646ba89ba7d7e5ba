import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCard } from '@housing/model-card/sample-card';
import type { GateReport } from '@housing/pipeline/head-to-head';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { ROOT, trainModel } from '@housing/test-support/service';
import { runAction } from './harness.ts';
import { productionFile, versionOf } from './model-releases.ts';

const TOKEN = 'ghs_publishTokenForTheLoopbackApi01234';
const METRICS = {
  ...sampleCard().metrics,
  rmse: 44100,
  mae: 29000,
  r2: 0.855,
  validation: { rmse: 45000, mae: 29500, r2: 0.85 },
};
// A whole card, as the action reads it through the card's schema; these fields are the release notes'.
const CARD = {
  ...sampleCard(),
  model_version: 'gbdt-0123456789ab',
  model_type: 'gbdt',
  git_sha: '9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d',
  data: {
    md5: '7b2f0e1c9a8d6e5f4c3b2a1908f7e6d5.dir',
    rows: 20640,
    path: 'data/housing.csv',
    dvc_file: 'data.dvc',
  },
  metrics: METRICS,
};

describe('publish-model (bundled dist, against a loopback fake of the GitHub REST and upload APIs)', () => {
  let github: FakeGitHub;
  let dir: string;
  const inputs = () => ({
    'model-path': join(dir, 'model.onnx'),
    'card-path': join(dir, 'model.card.json'),
    'metrics-path': join(dir, 'metrics.json'),
    'github-token': TOKEN,
  });
  const publish = () =>
    runAction('publish-model', { inputs: inputs(), env: { GITHUB_API_URL: github.url } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'publish-model-'));
    await writeFile(join(dir, 'model.onnx'), 'onnx-bytes-\u0000\u0001');
    await writeFile(join(dir, 'model.card.json'), JSON.stringify(CARD));
    await writeFile(join(dir, 'metrics.json'), JSON.stringify(METRICS));
    github = await startFakeGitHub(TOKEN);
    github.releases.push(
      {
        id: 2,
        tag_name: 'model-v2',
        draft: false,
        prerelease: false,
        created_at: '2026-11-19T00:00:00Z',
        body: '<!-- model-version: gbdt-old2 -->',
        assets: [],
      },
      {
        id: 1,
        tag_name: 'model-v1',
        draft: false,
        prerelease: false,
        created_at: '2026-10-01T00:00:00Z',
        body: '<!-- model-version: gbdt-old1 -->',
        assets: [],
      },
    );
  });
  afterAll(async () => {
    await github.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the next release and uploads the model, the card and the metrics', async () => {
    const run = await publish();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({
      tag: 'model-v3',
      'release-url': 'https://github.com/housing-mlops/housing-mlops/releases/tag/model-v3',
      created: 'true',
    });
    const release = github.releases.find((r) => r.tag_name === 'model-v3')!;
    expect(release.name).toBe('model-v3 (gbdt-0123456789ab)');
    expect(release.target_commitish).toBe('9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d');
    expect(release.body).toContain('<!-- model-version: gbdt-0123456789ab -->');
    expect(release.body).toMatch(/\| RMSE \| 44100 \| 45000 \|/);
    // Bytes as uploaded: the fake keeps what the upload sent.
    expect(release.assets.map((a) => [a.name, Buffer.from(a.content).toString('utf8')])).toEqual([
      ['model.onnx', 'onnx-bytes-\u0000\u0001'],
      ['model.card.json', JSON.stringify(CARD)],
      ['metrics.json', JSON.stringify(METRICS)],
    ]);
    expect(run.summary).toContain('## Published [model-v3]');
  });

  it('is a no-op for a model version that is already released', async () => {
    const before = github.calls.length;
    const run = await publish();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'model-v3', created: 'false' });
    expect(github.calls.slice(before).map((c) => c.method)).toEqual(['GET']);
    expect(github.releases.filter((r) => r.tag_name.startsWith('model-v'))).toHaveLength(3);
  });

  it('is the baseline the metric gate reads next, once production names it', async () => {
    // A real model this time: the gate scores the release's graph, uploaded and downloaded as bytes.
    const model = await trainModel();
    const params = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      'max_rounds: 500',
      'max_rounds: 5',
    );
    await writeFile(join(dir, 'weak.params.yaml'), params);
    const worse = await trainModel(['--seed', '7', '--params', join(dir, 'weak.params.yaml')]);
    try {
      const published = await runAction('publish-model', {
        inputs: {
          'model-path': join(model, 'model.onnx'),
          'card-path': join(model, 'model.card.json'),
          'metrics-path': join(model, 'metrics.json'),
          'github-token': TOKEN,
        },
        env: { GITHUB_API_URL: github.url },
      });
      expect(published.outputs).toMatchObject({ tag: 'model-v4', created: 'true' });
      const run = await runAction('metric-gate', {
        inputs: {
          candidate: join(worse, 'model.card.json'),
          'desired-state': await productionFile(dir, 'published', await versionOf(model)),
          'report-path': join(dir, 'gate.json'),
          'github-token': TOKEN,
        },
        env: { GITHUB_API_URL: github.url },
      });
      expect(run.outputs).toEqual({ passed: 'false', baseline: 'model-v4' });
      const report = JSON.parse(await readFile(join(dir, 'gate.json'), 'utf8')) as GateReport;
      expect(report.head_to_head?.baseline.model_version).toBe(await versionOf(model));
      const failed = report.rows.filter((r) => !r.passed);
      expect(run.annotations.at(-1)?.message).toBe(
        `metric gate failed: ${failed.map((r) => `${r.metric} ${r.reason}`).join('; ')}`,
      );
      expect(run.annotations.at(-1)?.message).toMatch(
        /^metric gate failed: rmse worse than baseline \d+ by more than \d+/,
      );
    } finally {
      for (const folder of [model, worse]) await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it('touches nothing on GitHub when a file is missing', async () => {
    const before = github.calls.length;
    const run = await runAction('publish-model', {
      inputs: { ...inputs(), 'model-path': join(dir, 'missing.onnx') },
      env: { GITHUB_API_URL: github.url },
    });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toMatch(/missing\.onnx/);
    expect(github.calls.length).toBe(before);
  });
});
