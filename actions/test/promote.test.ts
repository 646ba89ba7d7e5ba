import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDesiredState } from '../shared/desired-state.ts';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { ROOT, runAction } from './harness.ts';

const TOKEN = 'ghs_promoteTokenForTheLoopbackApi0123';
const IMAGE = 'ghcr.io/housing-mlops/housing-mlops/housing-service';
/** The image built for `name`, by digest, as tag-image outputs it. */
const ref = (name: string) => `${IMAGE}@sha256:${createHash('sha256').update(name).digest('hex')}`;

describe('promote (bundled dist, against a loopback fake of the GitHub git, contents and pulls APIs)', () => {
  let github: FakeGitHub;
  const promote = (environment: string, version: string, image = ref(version)) =>
    runAction('promote', {
      event: 'workflow_dispatch',
      inputs: {
        environment,
        image,
        'model-version': version,
        reason: `release model for ${version}`,
        'github-token': TOKEN,
      },
      env: { GITHUB_API_URL: github.url },
    });
  const fileOn = (branch: string, env: string) =>
    github.git.commits.get(github.git.refs.get(branch)!)!.get(`deploy/${env}.yml`)!;

  beforeAll(async () => {
    github = await startFakeGitHub(TOKEN);
    // main holds the committed desired-state files.
    github.seedBranch('main', {
      'deploy/staging.yml': await readFile(join(ROOT, 'deploy/staging.yml'), 'utf8'),
      'deploy/production.yml': await readFile(join(ROOT, 'deploy/production.yml'), 'utf8'),
    });
  });
  afterAll(() => github.close());

  it("opens one pull request that changes only that environment's file", async () => {
    const run = await promote('staging', 'gbdt-aaaaaaaaaaaa');
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.branch).toBe('promote/staging');
    expect(run.outputs['pull-request-number']).toMatch(/^\d+$/);
    const staging = fileOn('promote/staging', 'staging');
    expect(parseDesiredState(staging, 'staging.yml')).toEqual({
      environment: 'staging',
      image: ref('gbdt-aaaaaaaaaaaa'),
      model_version: 'gbdt-aaaaaaaaaaaa',
    });
    expect(staging).toMatch(/^# The desired state of staging\./); // comments kept
    expect(fileOn('promote/staging', 'production')).toBe(fileOn('main', 'production'));
    expect(github.pulls).toEqual([
      expect.objectContaining({
        head: 'promote/staging',
        base: 'main',
        title: 'Promote gbdt-aaaaaaaaaaaa to staging',
        state: 'open',
      }),
    ]);
  });

  it('updates that same pull request for the next bump, from a branch reset to main', async () => {
    const first = github.pulls[0]!.number;
    const run = await promote('staging', 'gbdt-bbbbbbbbbbbb');
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs['pull-request-number']).toBe(String(first));
    expect(github.pulls.filter((p) => p.head === 'promote/staging')).toHaveLength(1);
    expect(github.pulls[0]!.title).toBe('Promote gbdt-bbbbbbbbbbbb to staging');
    expect(github.pulls[0]!.body).toContain('`none`'); // compared with main, where nothing is promoted yet
    expect(parseDesiredState(fileOn('promote/staging', 'staging'), 'x').model_version).toBe(
      'gbdt-bbbbbbbbbbbb',
    );
    const patched = github.calls.filter(
      (c) => c.method === 'PATCH' && c.path.endsWith('/git/refs/heads/promote/staging'),
    );
    // Reset to main, then moved on by the one new commit on top of it (a fast-forward).
    expect(patched.at(-2)?.body).toEqual({ sha: github.git.refs.get('main'), force: true });
    const head = github.git.refs.get('promote/staging')!;
    expect(patched.at(-1)?.body).toEqual({ sha: head, force: false });
    expect(github.git.parents.get(head)).toEqual([github.git.refs.get('main')]);
  });

  it('keeps one pull request per environment', async () => {
    const run = await promote('production', 'gbdt-aaaaaaaaaaaa');
    expect(run.code, run.stdout).toBe(0);
    expect(github.pulls.map((p) => p.head).sort()).toEqual([
      'promote/production',
      'promote/staging',
    ]);
  });

  it('does nothing when main already says so', async () => {
    github.seedBranch('main', {
      'deploy/staging.yml': fileOn('promote/staging', 'staging'),
      'deploy/production.yml': fileOn('main', 'production'),
    });
    const before = github.calls.length;
    const run = await promote('staging', 'gbdt-bbbbbbbbbbbb');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('already says');
    expect(github.calls.slice(before).every((c) => c.method === 'GET')).toBe(true);
  });

  it('names a bad environment', async () => {
    const run = await promote('qa', 'gbdt-aaaaaaaaaaaa');
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      "input 'environment' must be staging or production, got 'qa'",
    );
  });
  it('sees a service-only rebuild: same model version, new digest, so the pull request changes the image', async () => {
    const before = github.calls.length;
    const run = await promote('staging', 'gbdt-bbbbbbbbbbbb', ref('service-change'));
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).not.toContain('already says');
    expect(parseDesiredState(fileOn('promote/staging', 'staging'), 'x')).toMatchObject({
      image: ref('service-change'),
      model_version: 'gbdt-bbbbbbbbbbbb',
    });
    // The desired state is written as a new commit (git data API), which a no-op never makes.
    expect(
      github.calls
        .slice(before)
        .some((c) => c.method === 'POST' && c.path.endsWith('/git/commits')),
    ).toBe(true);
    const pull = github.pulls.find((p) => p.head === 'promote/staging')!;
    expect(pull.body).toContain(`\`${ref('service-change')}\``);
  });

  it('lower-cases an image whose owner has capitals (ghcr.io/${{ github.repository }})', async () => {
    const run = await promote(
      'production',
      'gbdt-bbbbbbbbbbbb',
      ref('gbdt-bbbbbbbbbbbb').replace(
        'housing-mlops/housing-mlops',
        'Housing-MLOps/Housing-MLOps',
      ),
    );
    expect(run.code, run.stdout).toBe(0);
    expect(parseDesiredState(fileOn('promote/production', 'production'), 'x').image).toBe(
      ref('gbdt-bbbbbbbbbbbb'),
    );
  });

  it.each<[string, string, string, string]>([
    [
      'an image by tag, which a rebuild moves',
      `${IMAGE}:model-gbdt-aaaaaaaaaaaa`,
      'gbdt-aaaaaaaaaaaa',
      `input 'image': '${IMAGE}:model-gbdt-aaaaaaaaaaaa' must name the image by digest`,
    ],
    [
      'an image name that is still invalid once lower-cased',
      `ghcr.io/acme/hous ing@sha256:${'0'.repeat(64)}`,
      'gbdt-aaaaaaaaaaaa',
      "input 'image': 'ghcr.io/acme/hous ing' is not an image name",
    ],
    [
      'a model version that is not one',
      ref('x'),
      'latest',
      "input 'model-version': 'latest' is not a model version",
    ],
  ])('names %s, before calling GitHub', async (_name, image, version, message) => {
    const before = github.calls.length;
    const run = await promote('staging', version, image);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toContain(message);
    expect(github.calls.length).toBe(before);
  });

  it('refuses a desired-state file on the base branch that names an image by tag, at its line', async () => {
    github.seedBranch('main', {
      'deploy/staging.yml': `# staging\nenvironment: staging\nimage: ${IMAGE}:latest\nmodel_version: gbdt-aaaaaaaaaaaa\n`,
      'deploy/production.yml': fileOn('main', 'production'),
    });
    const run = await promote('staging', 'gbdt-cccccccccccc');
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toContain(
      `deploy/staging.yml:3: '${IMAGE}:latest' must name the image by digest`,
    );
  });
});

describe('promote with files: the record of how the model was made, in the same commit', () => {
  let github: FakeGitHub;
  let workspace: string;
  // What a retrain leaves in the workspace: dvc.lock and the reports git keeps.
  const RECORD: Record<string, string> = {
    'dvc.lock': "schema: '2.0'\nstages:\n  evaluate:\n    cmd: node evaluate.ts\n",
    'reports/metrics.json': '{\n  "model_version": "gbdt-cccccccccccc",\n  "rmse": 42000\n}\n',
    'reports/training_curve.csv': 'round,train_rmse,validation_rmse\n1,2.00,3.00\n',
  };
  // By digest: the image as tag-image outputs it.
  const image = `${IMAGE}@sha256:${'c'.repeat(64)}`;
  const promote = (files: string) =>
    runAction('promote', {
      event: 'workflow_dispatch',
      cwd: workspace,
      inputs: {
        environment: 'staging',
        image,
        'model-version': 'gbdt-cccccccccccc',
        files,
        'github-token': TOKEN,
      },
      env: { GITHUB_API_URL: github.url },
    });

  beforeAll(async () => {
    github = await startFakeGitHub(TOKEN);
    workspace = await mkdtemp(join(tmpdir(), 'promote-workspace-'));
    await mkdir(join(workspace, 'reports'));
    for (const [path, text] of Object.entries(RECORD)) await writeFile(join(workspace, path), text);
    github.seedBranch('main', {
      'deploy/staging.yml': await readFile(join(ROOT, 'deploy/staging.yml'), 'utf8'),
      'deploy/production.yml': await readFile(join(ROOT, 'deploy/production.yml'), 'utf8'),
      'dvc.lock': "schema: '2.0'\nstages: {}\n",
      'README.md': '# unchanged\n',
    });
  });
  afterAll(async () => {
    await github.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("commits each file at its path, with the workspace's content, beside the desired state", async () => {
    const main = github.git.refs.get('main')!;
    const run = await promote('dvc.lock\n\nreports/metrics.json\n./reports/training_curve.csv\n');
    expect(run.code, run.stdout).toBe(0);
    const head = github.git.refs.get('promote/staging')!;
    const tree = github.git.commits.get(head)!;
    for (const [path, text] of Object.entries(RECORD)) expect(tree.get(path), path).toBe(text);
    expect(parseDesiredState(tree.get('deploy/staging.yml')!, 'staging.yml').model_version).toBe(
      'gbdt-cccccccccccc',
    );
    // Everything else is main's, and the branch is main plus this one commit.
    const before = github.git.commits.get(main)!;
    expect(tree.get('deploy/production.yml')).toBe(before.get('deploy/production.yml'));
    expect(tree.get('README.md')).toBe('# unchanged\n');
    expect([...tree.keys()].sort()).toEqual(
      [...before.keys(), 'reports/metrics.json', 'reports/training_curve.csv'].sort(),
    );
    expect(github.git.parents.get(head)).toEqual([main]);
    expect(github.git.messages.get(head)).toBe(
      `Promote gbdt-cccccccccccc to staging\n\nimage: ${image}`,
    );
    expect(github.pulls).toEqual([expect.objectContaining({ head: 'promote/staging' })]);
  });

  it.each([
    ['../outside.json', "input 'files': '../outside.json' must be a path inside the workspace"],
    ['/etc/hostname', "input 'files': '/etc/hostname' must be a path inside the workspace"],
    ['reports/nope.json', "input 'files': cannot read 'reports/nope.json' (ENOENT)"],
    ['reports', "input 'files': cannot read 'reports' (EISDIR)"],
    ['dvc.lock\ndvc.lock', "input 'files': 'dvc.lock' is listed twice"],
    ['deploy/staging.yml', "input 'files': 'deploy/staging.yml' is the file this action writes"],
  ])('refuses %j before it changes anything on GitHub', async (files, message) => {
    const before = github.calls.length;
    const refs = new Map(github.git.refs);
    const run = await promote(files);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(message);
    expect(github.calls.slice(before).every((c) => c.method === 'GET')).toBe(true);
    expect(github.git.refs).toEqual(refs);
  });
});
