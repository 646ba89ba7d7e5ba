import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GateReport } from '@housing/pipeline/head-to-head';
import { COMMENT_MARKER } from '../metric-gate/src/comment.ts';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { ROOT, trainModel } from '@housing/test-support/service';
import { runAction } from './harness.ts';
import { modelRelease, productionFile, versionOf } from './model-releases.ts';

const TOKEN = 'ghs_fakeTokenForTheLoopbackApi0123456789';
const PRODUCTION = { rmse: 45530, mae: 29797, r2: 0.846 };

interface CardMetrics {
  metrics: { rmse: number; mae: number; r2: number; rows_test: number };
}

describe('metric-gate (bundled dist, against a loopback fake of the GitHub REST API)', () => {
  let github: FakeGitHub;
  let dir: string;
  /** Three real models: A (the default training), B (another split), and a weak one. */
  const models: Record<'a' | 'b' | 'weak', string> = { a: '', b: '', weak: '' };
  const versions: Record<'a' | 'b' | 'weak', string> = { a: '', b: '', weak: '' };
  /** deploy/production.yml naming A, the weak model, or nothing. */
  const production: Record<'a' | 'weak' | 'none', string> = { a: '', weak: '', none: '' };
  const card = async (name: 'a' | 'b' | 'weak') =>
    JSON.parse(await readFile(join(models[name], 'model.card.json'), 'utf8')) as CardMetrics;
  const candidate = async (name: string, metrics: Record<string, number>) => {
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify(metrics));
    return path;
  };
  const report = async (name: string) =>
    JSON.parse(await readFile(join(dir, `${name}.gate.json`), 'utf8')) as GateReport;
  const gate = (
    /** A model's name (its card is the candidate), or a metrics file. */
    model: string,
    desiredState: string,
    event: 'push' | 'pull_request' = 'push',
    extra: Record<string, string> = {},
    name = 'last',
  ) =>
    runAction('metric-gate', {
      event,
      inputs: {
        candidate: model in models ? join(models[model as 'a'], 'model.card.json') : model,
        'desired-state': desiredState,
        'report-path': join(dir, `${name}.gate.json`),
        'github-token': TOKEN,
        ...extra,
      },
      env: { GITHUB_API_URL: github.url },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metric-gate-'));
    github = await startFakeGitHub(TOKEN);
    // The weak model: five boosting rounds (the ridge model wins), on another split than A's.
    const params = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      'max_rounds: 500',
      'max_rounds: 5',
    );
    await writeFile(join(dir, 'weak.params.yaml'), params);
    models.a = await trainModel();
    models.b = await trainModel(['--seed', '7']);
    models.weak = await trainModel(['--seed', '7', '--params', join(dir, 'weak.params.yaml')]);
    for (const name of ['a', 'b', 'weak'] as const) versions[name] = await versionOf(models[name]);
    production.a = await productionFile(dir, 'a', versions.a);
    production.weak = await productionFile(dir, 'weak', versions.weak);
    production.none = await productionFile(dir, 'none', null);
  }, 180_000);
  afterAll(async () => {
    await github.close();
    for (const model of Object.values(models)) await rm(model, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    github.calls.length = 0;
    github.comments.clear();
    github.releases.length = 0;
    // Newest first, as GitHub lists them; a draft (holding A) and a service release must be skipped.
    const draft = await modelRelease(4, 'model-v4', '2026-11-21T00:00:00Z', models.a, []);
    github.releases.push(
      { ...draft, draft: true },
      {
        id: 3,
        tag_name: 'service-v1.2.0',
        draft: false,
        prerelease: false,
        created_at: '2026-11-20T00:00:00Z',
        assets: [],
      },
      await modelRelease(5, 'model-v3', '2026-11-19T00:00:00Z', models.b),
      await modelRelease(2, 'model-v2', '2026-11-01T00:00:00Z', models.weak),
      await modelRelease(1, 'model-v1', '2026-10-01T00:00:00Z', models.a),
    );
  });

  it('passes against the model production runs, rolled back to a release older than the latest', async () => {
    // Production names the weak model (model-v2); model-v3 is newer, and is not the baseline.
    const run = await gate('a', production.weak);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ passed: 'true', baseline: 'model-v2' });
    expect(run.summary).toContain('## Metric gate: ✅ passed');
    expect(run.summary).toContain(
      `| metric | production ${versions.weak} | candidate ${versions.a} | delta | allowed | limit | result |`,
    );
    expect(run.summary).toContain(`(release \`model-v2\`), both scored in this job on`);
    expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /repos/housing-mlops/housing-mlops/releases',
      // model-v2's card, then its graph; nothing of model-v3 or the draft.
      'GET /repos/housing-mlops/housing-mlops/releases/assets/22',
      'GET /downloads/22',
      'GET /repos/housing-mlops/housing-mlops/releases/assets/21',
      'GET /downloads/21',
    ]);
    const { head_to_head: duel } = await report('last');
    expect(duel?.baseline.model_version).toBe(versions.weak);
    expect(duel?.candidate.model_version).toBe(versions.a);
    // On a push there is no pull request to comment on.
    expect(github.comments.size).toBe(0);
    // The token is registered as a secret (the runner masks it) and appears nowhere else.
    expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([
      `::add-mask::${TOKEN}`,
    ]);
    expect(run.summary + JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it("scores champion and challenger on the same rows: the candidate's own test split", async () => {
    const run = await gate('a', production.weak);
    expect(run.code, run.stdout).toBe(0);
    const duel = (await report('last')).head_to_head!;
    const a = (await card('a')).metrics;
    const weak = (await card('weak')).metrics;
    // The very rows evaluate scored A on: as many, the same ones, and A scores as it did there.
    expect(duel.data).toMatchObject({ split: 'test', seed: 42, rows: a.rows_test });
    expect(duel.baseline.rows).toBe(a.rows_test);
    expect(duel.candidate.rows).toBe(a.rows_test);
    expect(duel.baseline.rows_sha256).toBe(duel.candidate.rows_sha256);
    expect(duel.candidate.rmse).toBeCloseTo(a.rmse, 6);
    expect(duel.candidate.r2).toBeCloseTo(a.r2, 9);
    // The weak model was scored again, on A's rows: not the metrics its own card records.
    expect(duel.baseline.rmse).not.toBeCloseTo(weak.rmse, 0);
    // The gate compared those scores, and the summary shows both with the delta.
    const rmse = (await report('last')).rows.find((r) => r.metric === 'rmse')!;
    expect(rmse.baseline).toBe(duel.baseline.rmse);
    expect(rmse.candidate).toBe(duel.candidate.rmse);
    expect(run.summary).toContain(
      `${duel.baseline.rows} rows for production, ${duel.candidate.rows} for the candidate, the same rows`,
    );
    expect(run.summary).toMatch(
      new RegExp(
        `\\| rmse \\(↓\\) \\| ${duel.baseline.rmse.toFixed(0)} \\| ${duel.candidate.rmse.toFixed(0)} \\| -\\d+ \\|`,
      ),
    );
  });

  it('fails a worse model, saying which metric and why', async () => {
    const run = await gate('weak', production.a);
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs.baseline).toBe('model-v1');
    expect(run.summary).toContain('## Metric gate: ❌ failed');
    const failed = (await report('last')).rows.filter((r) => !r.passed);
    expect(run.annotations.at(-1)?.message).toBe(
      `metric gate failed: ${failed.map((r) => `${r.metric} ${r.reason}`).join('; ')}`,
    );
    expect(run.annotations.at(-1)?.message).toMatch(
      /^metric gate failed: rmse worse than baseline \d+ by more than \d+; above the ceiling 50000; /,
    );
  });

  it('applies only the limits, with a notice, when production names no model yet', async () => {
    const run = await gate('a', production.none);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ passed: 'true', baseline: '' });
    expect(run.annotations).toContainEqual({
      level: 'notice',
      message: `${production.none} names no production model yet: the gate applies only the absolute limits (a first model)`,
    });
    expect(run.summary).toContain(
      'names no production model yet, so only the absolute limits apply',
    );
    // No release is read: there is nothing to compare with.
    expect(github.calls).toEqual([]);
  });

  it("fails closed, naming the release and the asset, when production's release lacks its card", async () => {
    const v1 = github.releases.find((r) => r.tag_name === 'model-v1')!;
    v1.assets = v1.assets.filter((a) => a.name !== 'model.card.json');
    const run = await gate('a', production.a);
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBeUndefined();
    expect(run.annotations.at(-1)?.message).toBe(
      'release model-v1 asset model.card.json: no such asset (the release has model.onnx, metrics.json)',
    );
  });

  it('fails closed when no release holds the model production names', async () => {
    github.releases.splice(
      github.releases.findIndex((r) => r.tag_name === 'model-v1'),
      1,
    );
    const run = await gate('weak', production.a);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      `${production.a} model_version ${versions.a}: no published release holds model ${versions.a} (none has '<!-- model-version: ${versions.a} -->' in its notes): publish it with the publish-model action`,
    );
  });

  it("names the candidate's file when it is not a model card the gate can score", async () => {
    const run = await gate(
      await candidate('bare', { rmse: 44000, mae: 29000, r2: 0.86 }),
      production.a,
    );
    expect(run.code).toBe(1);
    // The pipeline's gate said it (exit 2), and the annotation says it again, without a stack.
    expect(run.annotations.at(-1)?.message).toMatch(
      new RegExp(`^${join(dir, 'bare.json')}: .*schema_version`),
    );
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it('keeps one PR comment: created once, then updated in place, found past the first page', async () => {
    // 120 comments by people first, so the gate's own comment sits on page 2.
    github.comments.set(
      42,
      Array.from({ length: 120 }, (_, i) => ({
        id: i + 1,
        body: `looks good ${i}`,
        user: { login: 'ada' },
      })),
    );
    const first = await gate('a', production.weak, 'pull_request');
    expect(first.code, first.stdout).toBe(0);
    const second = await gate('weak', production.a, 'pull_request');
    expect(second.code).toBe(1);
    const third = await gate('a', production.weak, 'pull_request');
    expect(third.code).toBe(0);

    const ours = github.comments.get(42)!.filter((c) => c.body.includes(COMMENT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('## Metric gate: ✅ passed');
    const duel = (await report('last')).head_to_head!;
    expect(ours[0]!.body).toContain(`| ${duel.candidate.rmse.toFixed(0)} |`);
    expect(ours[0]!.body).toContain(`| ${duel.baseline.rmse.toFixed(0)} |`);
    const writes = github.calls
      .filter((c) => c.method !== 'GET')
      .map((c) => `${c.method} ${c.path}`);
    expect(writes).toEqual([
      'POST /repos/housing-mlops/housing-mlops/issues/42/comments',
      `PATCH /repos/housing-mlops/housing-mlops/issues/comments/${ours[0]!.id}`,
      `PATCH /repos/housing-mlops/housing-mlops/issues/comments/${ours[0]!.id}`,
    ]);
  });

  it('compares with a baseline file when given one, without calling the API', async () => {
    const baseline = await candidate('baseline', PRODUCTION);
    const run = await gate(
      await candidate('c', { rmse: 44000, mae: 29000, r2: 0.86 }),
      production.a,
      'push',
      { baseline },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.baseline).toBe(baseline);
    expect(run.summary).toMatch(
      /\| rmse \(↓\) \| 45530 \| 44000 \| -1530 \| 46441 \| 50000 \| pass \|/,
    );
    expect(github.calls).toEqual([]);
  });

  it('fails clearly on a token the API rejects', async () => {
    const run = await runAction('metric-gate', {
      inputs: {
        candidate: join(models.a, 'model.card.json'),
        'desired-state': production.a,
        'github-token': 'wrong',
      },
      env: { GITHUB_API_URL: github.url },
    });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toMatch(
      /^GitHub API GET \/repos\/housing-mlops\/housing-mlops\/releases\?per_page=100 answered 401: .*Bad credentials/,
    );
  });
});
