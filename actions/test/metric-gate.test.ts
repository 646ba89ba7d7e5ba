import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../metric-gate/src/comment.ts';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { runAction } from './harness.ts';

const TOKEN = 'ghs_fakeTokenForTheLoopbackApi0123456789';
const PRODUCTION = { rmse: 45530, mae: 29797, r2: 0.846 };

describe('metric-gate (bundled dist, against a loopback fake of the GitHub REST API)', () => {
  let github: FakeGitHub;
  let dir: string;
  const candidate = async (name: string, metrics: Record<string, number>) => {
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify(metrics));
    return path;
  };
  const gate = (candidatePath: string, event: 'push' | 'pull_request' = 'push', extra = {}) =>
    runAction('metric-gate', {
      event,
      inputs: { candidate: candidatePath, 'github-token': TOKEN, ...extra },
      env: { GITHUB_API_URL: github.url },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metric-gate-'));
    github = await startFakeGitHub(TOKEN);
  });
  afterAll(async () => {
    await github.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    github.calls.length = 0;
    github.comments.clear();
    github.releases.length = 0;
    // Newest first, as GitHub lists them; a draft and a service release must be skipped.
    github.releases.push(
      {
        id: 4,
        tag_name: 'model-v4',
        draft: true,
        prerelease: false,
        created_at: '2026-11-21T00:00:00Z',
        assets: [],
      },
      {
        id: 3,
        tag_name: 'service-v1.2.0',
        draft: false,
        prerelease: false,
        created_at: '2026-11-20T00:00:00Z',
        assets: [],
      },
      {
        id: 2,
        tag_name: 'model-v2',
        draft: false,
        prerelease: false,
        created_at: '2026-11-19T00:00:00Z',
        assets: [
          { id: 21, name: 'model.onnx', content: 'onnx' },
          { id: 22, name: 'metrics.json', content: JSON.stringify(PRODUCTION) },
        ],
      },
      {
        id: 1,
        tag_name: 'model-v1',
        draft: false,
        prerelease: false,
        created_at: '2026-10-01T00:00:00Z',
        assets: [
          {
            id: 12,
            name: 'metrics.json',
            content: JSON.stringify({ rmse: 60000, mae: 40000, r2: 0.7 }),
          },
        ],
      },
    );
  });

  it('passes a better model against the latest model release', async () => {
    const run = await gate(await candidate('better', { rmse: 44000, mae: 29000, r2: 0.86 }));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ passed: 'true', baseline: 'model-v2' });
    expect(run.summary).toContain('## Metric gate: ✅ passed');
    expect(run.summary).toMatch(
      /\| rmse \(↓\) \| 45530 \| 44000 \| -1530 \| 46441 \| 50000 \| pass \|/,
    );
    expect(github.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /repos/housing-mlops/housing-mlops/releases',
      'GET /repos/housing-mlops/housing-mlops/releases/assets/22',
      'GET /downloads/22',
    ]);
    // On a push there is no pull request to comment on.
    expect(github.comments.size).toBe(0);
    // The token is registered as a secret (the runner masks it) and appears nowhere else.
    expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([
      `::add-mask::${TOKEN}`,
    ]);
    expect(run.summary + JSON.stringify(run.outputs)).not.toContain(TOKEN);
  });

  it('fails a worse model, saying which metric and why', async () => {
    const run = await gate(await candidate('worse', { rmse: 47000, mae: 29800, r2: 0.84 }));
    expect(run.code).toBe(1);
    expect(run.outputs.passed).toBe('false');
    expect(run.summary).toContain('## Metric gate: ❌ failed');
    expect(run.annotations.at(-1)?.message).toBe(
      'metric gate failed: rmse worse than baseline 45530 by more than 911',
    );
  });

  it('applies only the limits when there is no model release yet', async () => {
    github.releases.length = 0;
    const run = await gate(await candidate('first', { rmse: 48000, mae: 31000, r2: 0.83 }));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ passed: 'true', baseline: '' });
    expect(run.stdout).toContain('no release tagged model-v*: only the absolute limits apply');
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
    const first = await gate(
      await candidate('pr-1', { rmse: 44000, mae: 29000, r2: 0.86 }),
      'pull_request',
    );
    expect(first.code, first.stdout).toBe(0);
    const second = await gate(
      await candidate('pr-2', { rmse: 47000, mae: 29800, r2: 0.84 }),
      'pull_request',
    );
    expect(second.code).toBe(1);
    const third = await gate(
      await candidate('pr-3', { rmse: 45000, mae: 29500, r2: 0.85 }),
      'pull_request',
    );
    expect(third.code).toBe(0);

    const ours = github.comments.get(42)!.filter((c) => c.body.includes(COMMENT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toContain('## Metric gate: ✅ passed');
    expect(ours[0]!.body).toContain('| 45000 |');
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
    const run = await gate(await candidate('c', { rmse: 45600, mae: 29900, r2: 0.845 }), 'push', {
      baseline,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.baseline).toBe(baseline);
    expect(github.calls).toEqual([]);
  });

  it('fails clearly on a token the API rejects', async () => {
    const run = await runAction('metric-gate', {
      inputs: { candidate: await candidate('x', PRODUCTION), 'github-token': 'wrong' },
      env: { GITHUB_API_URL: github.url },
    });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toMatch(
      /^GitHub API GET \/repos\/housing-mlops\/housing-mlops\/releases\?per_page=100 answered 401: .*Bad credentials/,
    );
  });
});
