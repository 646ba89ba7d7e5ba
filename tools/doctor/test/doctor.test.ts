import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { housingRemote, objectPath } from '@housing/test-support/dvc-remote';
import { parseYamlText } from '@housing/core/yaml-file';
import { readFileSync } from 'node:fs';
import { ROOT } from '@housing/test-support/root';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeSettings,
} from '@housing/test-support/fake-github';
import { linesWith, runDoctor, type DoctorRun } from './run-doctor.ts';

/**
 * `npm run doctor` against the loopback GitHub, as a person runs it: a
 * complete setup passes; each missing piece is one MISSING line naming it,
 * with its fix; a bad token is one line. The DVC remote here is the run's
 * local remote of data/ (the S3 one is doctor-s3.test.ts).
 */
const TOKEN = 'doctor-test-token-0123456789abcdef';
const REPO = 'acme/housing-fork';
let github: FakeGitHub;

beforeEach(async () => {
  github = await startFakeGitHub(TOKEN);
});
afterEach(async () => {
  await github.close();
});

/** Everything the README's "Run it on your GitHub" asks for, with a folder as the remote. */
function completeSetup(s: FakeSettings): void {
  s.environments.push(
    { name: 'staging', reviewers: [], secrets: [], variables: {} },
    { name: 'production', reviewers: ['octocat'], secrets: [], variables: {} },
  );
  s.variables.DVC_REMOTE_URL = housingRemote();
  s.canApprovePullRequests = true;
  s.runners.push(
    { name: 'stage-1', status: 'online', labels: ['staging'], version: '2.327.1' },
    { name: 'prod-1', status: 'online', labels: ['production'], version: '2.330.0' },
  );
}

const doctor = (args: string[] = [], env: Record<string, string> = {}) =>
  runDoctor(['--repo', REPO, ...args], {
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    ...env,
  });

/** The one MISSING line of a run, and the fix printed under it. */
function onlyMissing(run: DoctorRun): { line: string; fix: string } {
  const missing = linesWith(run, 'MISSING');
  expect(missing, run.stdout).toHaveLength(1);
  const lines = run.stdout.split('\n').map((l) => l.trim());
  const fix = lines[lines.indexOf(missing[0]!) + 1] ?? '';
  expect(fix, run.stdout).toMatch(/^fix: /);
  expect(run.code).toBe(1);
  return { line: missing[0]!, fix };
}

describe('npm run doctor', () => {
  it('passes a complete setup, each check ok, without printing the token', async () => {
    completeSetup(github.settings);
    const run = await doctor();
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(linesWith(run, 'MISSING')).toEqual([]);
    const ok = linesWith(run, 'ok');
    for (const what of [
      'environment staging',
      'environment production: 1 required reviewer(s)',
      'Actions may create pull requests',
      `variable DVC_REMOTE_URL: ${housingRemote()}`,
      'runner [self-hosted, staging]: stage-1 (online, v2.327.1)',
      'runner [self-hosted, production]: prod-1 (online, v2.330.0)',
      `data.dvc on ${housingRemote()} (the repository variable DVC_REMOTE_URL)`,
    ])
      expect(
        ok.some((l) => l.includes(what)),
        `${what}\n${run.stdout}`,
      ).toBe(true);
    expect(run.stdout).toContain('everything required is set');
    expect(run.stdout).toContain('docker compose version');
    expect(run.stdout).toContain('gh --version              2.67.0 or later');
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    // Read-only: the doctor never changes a repository.
    expect(github.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('names everything a new fork lacks, each with its fix', async () => {
    const run = await doctor();
    expect(run.code).toBe(1);
    const missing = linesWith(run, 'MISSING');
    expect(missing.map((l) => l.split(':')[0])).toEqual([
      'MISSING  environment staging',
      'MISSING  environment production',
      'MISSING  Actions may create pull requests',
      'MISSING  variable DVC_REMOTE_URL',
      'MISSING  runner [self-hosted, staging]',
      'MISSING  runner [self-hosted, production]',
    ]);
    expect(run.stdout).toContain(`fix: gh api -X PUT repos/${REPO}/environments/staging`);
    expect(run.stdout).toContain(
      `fix: gh variable set DVC_REMOTE_URL --repo ${REPO} --body 's3://<bucket>/<prefix>'`,
    );
    expect(run.stdout).toContain('--labels production (actions/runner 2.327.1 or later)');
    expect(run.stdout).toContain('6 required setting(s) missing');
    expect(run.stdout).toContain('not asked: no url');
  });

  const cases: [string, (s: FakeSettings) => void, RegExp, RegExp][] = [
    [
      'production without required reviewers',
      (s) => (s.environments[1]!.reviewers = []),
      /environment production: has no required reviewers/,
      /settings\/environments → production → Required reviewers$/,
    ],
    [
      'production without reviewers in a private repository',
      (s) => {
        s.environments[1]!.reviewers = [];
        s.private = true;
      },
      /environment production: has no required reviewers/,
      /need GitHub Pro, Team or Enterprise there; on GitHub Free only public repositories/,
    ],
    [
      'no staging environment',
      (s) => s.environments.shift(),
      /environment staging: does not exist/,
      /gh api -X PUT repos\/acme\/housing-fork\/environments\/staging$/,
    ],
    [
      'Actions may not open pull requests, and no App',
      (s) => (s.canApprovePullRequests = false),
      /Actions may create pull requests: no APP_ID variable/,
      /can_approve_pull_request_reviews=true; or a GitHub App/,
    ],
    [
      'an App without its private key',
      (s) => {
        s.canApprovePullRequests = false;
        s.variables.APP_ID = '123456';
      },
      /secret APP_PRIVATE_KEY: APP_ID is set/,
      /gh secret set APP_PRIVATE_KEY --repo acme\/housing-fork < your-app.private-key.pem/,
    ],
    [
      'DVC_REMOTE_URL only in an environment',
      (s) => {
        s.environments[0]!.variables.DVC_REMOTE_URL = s.variables.DVC_REMOTE_URL!;
        delete s.variables.DVC_REMOTE_URL;
      },
      /variable DVC_REMOTE_URL: unset.*set only in environment staging/,
      /gh variable set DVC_REMOTE_URL/,
    ],
    [
      'the production runner offline',
      (s) => (s.runners[1]!.status = 'offline'),
      /runner \[self-hosted, production\]: prod-1 registered but offline/,
      /svc\.sh start/,
    ],
    [
      'a staging runner too old for node24 actions',
      (s) => (s.runners[0]!.version = '2.326.0'),
      /stage-1 is v2\.326\.0: node24 actions need actions\/runner 2\.327\.1 or later/,
      /update the runner/,
    ],
    [
      'no runner labelled production',
      (s) => (s.runners[1]!.labels = ['prod']),
      /runner \[self-hosted, production\]: none registered/,
      /settings\/actions\/runners\/new, then \.\/config\.sh .* --labels production/,
    ],
    [
      'a token that may not list runners',
      (s) => s.forbidden.push('/actions/runners'),
      /runners: cannot read it: GitHub answered 403 to GET \/repos\/acme\/housing-fork\/actions\/runners/,
      /a token with Administration: read/,
    ],
  ];
  it.each(cases)('names one missing piece with its fix: %s', async (_name, breakIt, line, fix) => {
    completeSetup(github.settings);
    breakIt(github.settings);
    const found = onlyMissing(await doctor());
    expect(found.line).toMatch(line);
    expect(found.fix).toMatch(fix);
  });

  it('passes with a GitHub App instead of the Actions setting', async () => {
    completeSetup(github.settings);
    github.settings.canApprovePullRequests = false;
    github.settings.variables.APP_ID = '123456';
    github.settings.orgSecrets.push('APP_PRIVATE_KEY');
    const run = await doctor();
    expect(run.code, run.stdout).toBe(0);
    expect(linesWith(run, 'ok')).toContain('ok       secret APP_PRIVATE_KEY');
  });

  it('says when the remote lacks the object data.dvc names', async () => {
    completeSetup(github.settings);
    const empty = await mkdtemp(join(tmpdir(), 'doctor-empty-remote-'));
    try {
      const found = onlyMissing(await doctor(['--remote', empty]));
      expect(found.line).toContain(`data.dvc on ${empty} (--remote)`);
      expect(found.line).toMatch(/object [0-9a-f]{32}\.dir for data is missing from remote 'fork'/);
      expect(found.fix).toContain('dvc push');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('reads every page of a list: the variable it needs is on the second', async () => {
    completeSetup(github.settings);
    const url = github.settings.variables.DVC_REMOTE_URL!;
    github.settings.variables = {};
    for (let i = 0; i < 35; i++) github.settings.variables[`OTHER_${i}`] = String(i);
    github.settings.variables.DVC_REMOTE_URL = url;
    const run = await doctor();
    expect(run.code, run.stdout).toBe(0);
    // 36 variables, 30 a page: two requests, and DVC_REMOTE_URL found on the second.
    expect(github.calls.filter((c) => c.path === `/repos/${REPO}/actions/variables`)).toHaveLength(
      2,
    );
  });

  it('says when the manifest on the remote is not the one data.dvc records', async () => {
    completeSetup(github.settings);
    const copy = await mkdtemp(join(tmpdir(), 'doctor-corrupt-remote-'));
    try {
      await cp(housingRemote(), copy, { recursive: true });
      const dvc = parseYamlText(
        readFileSync(join(ROOT, 'data.dvc'), 'utf8'),
        'data.dvc',
      ).doc.toJS() as {
        outs: { md5: string }[];
      };
      await writeFile(objectPath(copy, dvc.outs[0]!.md5), '[]');
      const found = onlyMissing(await doctor(['--remote', copy]));
      expect(found.line).toContain(`is not the manifest data.dvc records (${dvc.outs[0]!.md5})`);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('reports a token GitHub refuses in one line, exit 2, without printing it', async () => {
    completeSetup(github.settings);
    const run = await doctor([], { GITHUB_TOKEN: 'not-the-token-0123456789' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'error: GITHUB_TOKEN: GitHub refused the token (401 Bad credentials): set a valid one, e.g. GITHUB_TOKEN=$(gh auth token)\n',
    );
    expect(run.stderr).not.toContain('not-the-token');
  });

  it('takes GH_TOKEN when GITHUB_TOKEN is unset, and names both when neither is set', async () => {
    completeSetup(github.settings);
    const gh = await runDoctor(['--repo', REPO], { GH_TOKEN: TOKEN, GITHUB_API_URL: github.url });
    expect(gh.code, gh.stdout + gh.stderr).toBe(0);
    const neither = await runDoctor(['--repo', REPO], { GITHUB_API_URL: github.url });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('GITHUB_TOKEN (or GH_TOKEN) is required');
  });

  it('answers --help, and exits 2 on a bad flag or repository name', async () => {
    const help = await runDoctor(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run doctor -- \[--repo <owner\/name>\]/);
    const unknown = await doctor(['--fix']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown flag '--fix'");
    const bad = await runDoctor(['--repo', 'acme'], { GITHUB_TOKEN: TOKEN });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: --repo: expected owner/name, got 'acme'\n");
    const none = await runDoctor([], { GITHUB_TOKEN: TOKEN });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--repo: required');
  });
});
