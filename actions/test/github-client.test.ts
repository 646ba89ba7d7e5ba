import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApiError } from '@housing/core/errors';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { branchExists } from '@housing/github/branch';
import { gitHub, type GitHub } from '@housing/github/client';

const TOKEN = 'ghs_clientTokenForTheLoopbackApi012345';
const repo = { owner: 'housing-mlops', repo: 'housing-mlops' };

describe('the actions’ Octokit, against the loopback fake GitHub', () => {
  let fake: FakeGitHub;
  let github: GitHub;

  beforeAll(async () => {
    fake = await startFakeGitHub(TOKEN);
    github = gitHub(TOKEN, fake.url);
  });
  beforeEach(() => {
    fake.calls.length = 0;
    fake.releases.length = 0;
  });
  afterAll(() => fake.close());

  it('pages through more than 100 releases, following the Link header', async () => {
    for (let i = 250; i >= 1; i--)
      fake.releases.push({
        id: i,
        tag_name: `model-v${i}`,
        draft: false,
        prerelease: false,
        created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        assets: [],
      });
    const releases = await github.paginate(github.rest.repos.listReleases, {
      ...repo,
      per_page: 100,
    });
    expect(releases).toHaveLength(250);
    expect(new Set(releases.map((r) => r.tag_name)).size).toBe(250);
    expect(releases[0]!.tag_name).toBe('model-v250');
    expect(releases.at(-1)!.tag_name).toBe('model-v1');
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(
      Array.from({ length: 3 }, () => 'GET /repos/housing-mlops/housing-mlops/releases'),
    );
  });

  it('turns an error answer into a GitHubApiError that carries method, path, status and body', async () => {
    const rejected = gitHub('not-the-token', fake.url).rest.repos.listReleases({
      ...repo,
      per_page: 100,
    });
    const error = await rejected.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({
      method: 'GET',
      path: '/repos/housing-mlops/housing-mlops/releases?per_page=100',
      status: 401,
    });
    expect((error as GitHubApiError).body).toContain('Bad credentials');
    expect((error as GitHubApiError).message).toMatch(
      /^GitHub API GET \/repos\/housing-mlops\/housing-mlops\/releases\?per_page=100 answered 401: /,
    );
  });

  it('sends a failed write once: no retry of a request that is not idempotent', async () => {
    fake.failDispatches.push(500);
    // A workflow_dispatch (what the relay sends; the fake answers no repository_dispatch).
    const error = await github.rest.actions
      .createWorkflowDispatch({ ...repo, workflow_id: 'ct.yml', ref: 'main' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(500);
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(fake.workflowDispatches).toEqual([]);
  });

  it("tells promote's missing branch by GitHub's 404 status", async () => {
    fake.seedBranch('main', { 'README.md': 'hello' });
    expect(await branchExists(github, repo, 'main')).toBe(true);
    expect(await branchExists(github, repo, 'promote/staging')).toBe(false);
    const missing = await github.rest.git
      .getRef({ ...repo, ref: 'heads/promote/staging' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404 });
  });

  it('throws any other failure of the branch lookup, even one whose text says 404', async () => {
    const unauthorized = gitHub('not-the-token', fake.url);
    await expect(branchExists(unauthorized, repo, 'main')).rejects.toMatchObject({
      status: 401,
    });
    // A failure that is no GitHub answer is thrown, whatever its message says.
    const broken = {
      rest: { git: { getRef: () => Promise.reject(new Error('GitHub API GET x answered 404')) } },
    } as unknown as GitHub;
    await expect(branchExists(broken, repo, 'main')).rejects.toThrow('answered 404');
  });
});
