import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '@housing/test-support/root';

// deploy.yml's changes job: which deploy job a push starts, from a real git
// history, as the job's checkout (fetch-depth: 0) has it.

const SCRIPT = join(ROOT, '.github/scripts/changed-environments.sh');
const ZERO = '0'.repeat(40);

let repo: string;
/** The commits: the start, a staging change, a production change, both, neither. */
const commits: Record<'start' | 'staging' | 'production' | 'both' | 'neither', string> = {
  start: '',
  staging: '',
  production: '',
  both: '',
  neither: '',
};

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

async function commit(files: Record<string, string>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) await writeFile(join(repo, path), text);
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

/** Runs the script as the step does; its outputs, or its exit code and stderr. */
async function changed(env: Record<string, string>) {
  const output = join(repo, '..', `output-${Math.random().toString(36).slice(2)}`);
  await writeFile(output, '');
  const result = spawnSync('bash', [SCRIPT], {
    cwd: repo,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
  });
  const lines = (await readFile(output, 'utf8')).trim();
  return {
    status: result.status,
    stderr: result.stderr,
    outputs: Object.fromEntries(
      lines ? lines.split('\n').map((l) => l.split('=') as [string, string]) : [],
    ) as Record<string, string>,
  };
}

const push = (before: string, after: string) =>
  changed({ EVENT_NAME: 'push', BEFORE: before, AFTER: after });

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'changed-environments-'));
  repo = join(dir, 'repo');
  mkdirSync(join(repo, 'deploy'), { recursive: true });
  git('init', '-q');
  commits.start = await commit(
    { 'deploy/staging.yml': 'image: null\n', 'deploy/production.yml': 'image: null\n' },
    'start',
  );
  commits.staging = await commit({ 'deploy/staging.yml': 'image: a\n' }, 'staging');
  commits.production = await commit({ 'deploy/production.yml': 'image: a\n' }, 'production');
  commits.both = await commit(
    { 'deploy/staging.yml': 'image: b\n', 'deploy/production.yml': 'image: b\n' },
    'both',
  );
  commits.neither = await commit(
    { 'deploy/smoke-rows.json': '[]\n', 'README.md': 'x\n' },
    'neither',
  );
});
afterAll(() => rm(join(repo, '..'), { recursive: true, force: true }));

describe('changed-environments.sh', () => {
  it('a push that changes deploy/staging.yml deploys staging only', async () => {
    expect((await push(commits.start, commits.staging)).outputs).toEqual({
      staging: 'true',
      production: 'false',
    });
  });

  it('a push that changes deploy/production.yml deploys production only', async () => {
    expect((await push(commits.staging, commits.production)).outputs).toEqual({
      staging: 'false',
      production: 'true',
    });
  });

  it('a push of several commits counts every file any of them changed', async () => {
    expect((await push(commits.start, commits.production)).outputs).toEqual({
      staging: 'true',
      production: 'true',
    });
    expect((await push(commits.production, commits.both)).outputs).toEqual({
      staging: 'true',
      production: 'true',
    });
  });

  it('a push that changes neither file deploys nothing', async () => {
    expect((await push(commits.both, commits.neither)).outputs).toEqual({
      staging: 'false',
      production: 'false',
    });
  });

  it('with no earlier commit to compare (a new branch, a force push), every environment counts', async () => {
    expect((await push(ZERO, commits.neither)).outputs).toEqual({
      staging: 'true',
      production: 'true',
    });
    expect((await push('1'.repeat(40), commits.neither)).outputs).toEqual({
      staging: 'true',
      production: 'true',
    });
  });

  it('a dispatch deploys the environment it names', async () => {
    for (const environment of ['staging', 'production'])
      expect(
        (await changed({ EVENT_NAME: 'workflow_dispatch', DISPATCH_ENVIRONMENT: environment }))
          .outputs,
      ).toEqual({
        staging: String(environment === 'staging'),
        production: String(environment === 'production'),
      });
  });

  it('any other event is refused by name', async () => {
    const result = await changed({ EVENT_NAME: 'pull_request' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /EVENT_NAME 'pull_request' is neither push nor workflow_dispatch/,
    );
    expect(result.outputs).toEqual({});
  });
});
