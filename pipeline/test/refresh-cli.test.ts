import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@housing/prediction-store/database';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { parseDvcFile } from '../src/dvc/dvcfile.ts';
import { scanWorkspace, workspaceMd5 } from '../src/dvc/workspace.ts';
import { ROOT } from './helpers.ts';
import { housingRows, logPredictions, makeCheckout, shifted } from './refresh-fixture.ts';

/**
 * `npm run data:refresh` as a program: its flags, its one-line errors, the
 * pull request it keeps on the loopback GitHub, and Ctrl-C.
 */

const CLI = join(ROOT, 'pipeline/src/cli/refresh.ts');
const TOKEN = 'ghs_refreshTokenForTheLoopbackApi0123456';

/** The CLI's environment: only what it reads, no DVC on PATH, no GitHub unless given. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/**
 * Runs the CLI to its end. Asynchronously: the loopback GitHub answers from
 * this process, which a synchronous spawn would block.
 */
function run(
  cwd: string,
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), CLI, '--builtin', ...args],
    {
      cwd,
      env: env(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

let logDir: string;
beforeAll(async () => {
  logDir = join(await mkdtemp(join(tmpdir(), 'refresh-cli-log-')), 'log');
  const db = await openDatabase({ dir: logDir });
  await logPredictions(
    db,
    (await housingRows(5, 500)).map((r) => ({ input: r.input, actual: shifted(r.target, 11) })),
  );
  await db.close();
});
afterAll(async () => {
  await rm(join(logDir, '..'), { recursive: true, force: true });
});

describe('npm run data:refresh', () => {
  it('prints its flags and the variables it reads with --help, and does nothing else', async () => {
    const { repo } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    const result = await run(repo, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run data:refresh -- /);
    for (const word of [
      '--remote <name>',
      '--base <branch>',
      '--reference <card>',
      'DATABASE_URL_FILE',
      'PREDICTION_LOG_DIR (default var/prediction-log)',
      'GITHUB_TOKEN',
    ])
      expect(result.stdout).toContain(word);
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);
  });

  it.each([
    [
      'mysql://app@127.0.0.1/x',
      /^error: DATABASE_URL: DATABASE_URL has the scheme mysql:: expected postgres:\/\/ or postgresql:\/\/ *\n$/,
    ],
    [
      'postgres://app:secret@127.0.0.1:1/x',
      /^error: DATABASE_URL: cannot connect to the prediction log's PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/x: .+\n$/,
    ],
  ])(
    'a bad store URL (%s) is one line naming DATABASE_URL, without its password, exit 2',
    async (url, message) => {
      const { repo } = await makeCheckout();
      const result = await run(repo, [], { DATABASE_URL: url });
      expect(result.status).toBe(2);
      expect(
        result.stderr.split('\n').filter((l) => l.startsWith('error') || l.includes('at ')),
      ).toHaveLength(1);
      expect(result.stderr.slice(result.stderr.indexOf('error: '))).toMatch(message);
      expect(result.stderr).not.toContain('secret');
    },
  );

  it('without DATABASE_URL and without the embedded store, says none was logged there and what to set, exit 2, creating nothing', async () => {
    const { repo } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    // The default folder, var/prediction-log, under a checkout the service never ran in.
    const result = await run(repo, []);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "error: var/prediction-log: no prediction log exists in this folder (nothing was logged there): point PREDICTION_LOG_DIR at the service's folder, or set DATABASE_URL\n",
    );
    expect(await readdir(repo)).not.toContain('var');
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);

    // A folder that exists but holds no store is the same mistake, and stays empty.
    const empty = join(repo, 'empty-log');
    await mkdir(empty);
    const named = await run(repo, [], { PREDICTION_LOG_DIR: empty });
    expect(named.status).toBe(2);
    expect(named.stderr).toBe(
      `error: ${empty}: no prediction log exists in this folder (nothing was logged there): point PREDICTION_LOG_DIR at the service's folder, or set DATABASE_URL\n`,
    );
    expect(await readdir(empty)).toEqual([]);
  });

  describe('the pull request', () => {
    let github: FakeGitHub;
    beforeAll(async () => {
      github = await startFakeGitHub(TOKEN);
    });
    afterAll(() => github?.close());
    const withGitHub = () => ({
      PREDICTION_LOG_DIR: logDir,
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
      GITHUB_API_URL: github.url,
    });

    it('opens one pull request changing data.dvc from data-refresh, and updates it on the next run', async () => {
      const first = await makeCheckout();
      const base = await readFile(join(first.repo, 'data.dvc'), 'utf8');
      github.seedBranch('main', { 'data.dvc': base, 'README.md': 'readme\n' });
      const opened = await run(first.repo, ['--base', 'main'], withGitHub());
      expect(opened.stderr).not.toMatch(/error/);
      expect(opened.status).toBe(0);
      expect(opened.stdout).toContain('**5 labelled row(s) from production**');
      const onBranch = () => github.git.commits.get(github.git.refs.get('data-refresh')!)!;
      expect(onBranch().get('data.dvc')).toBe(await readFile(join(first.repo, 'data.dvc'), 'utf8'));
      expect(onBranch().get('README.md')).toBe('readme\n');
      expect(github.pulls).toEqual([
        expect.objectContaining({
          head: 'data-refresh',
          base: 'main',
          state: 'open',
          title: 'Refresh the data: 5 labelled row(s) from production',
          body: opened.stdout,
        }),
      ]);

      // Not merged: the next run, from main's data.dvc again, updates the same pull request.
      const second = await makeCheckout();
      const updated = await run(second.repo, ['--base', 'main'], withGitHub());
      expect(updated.status).toBe(0);
      expect(github.pulls).toHaveLength(1);
      expect(onBranch().get('data.dvc')).toBe(
        await readFile(join(second.repo, 'data.dvc'), 'utf8'),
      );
      expect(onBranch().get('data.dvc')).toBe(await readFile(join(first.repo, 'data.dvc'), 'utf8'));
    });

    it('refuses a checkout whose data.dvc is not the base branch’s, naming it', async () => {
      const { repo } = await makeCheckout();
      const before = await readFile(join(repo, 'data.dvc'), 'utf8');
      github.seedBranch('main', {
        'data.dvc': 'outs:\n- md5: 00000000000000000000000000000000.dir\n  path: data\n',
      });
      const result = await run(repo, ['--base', 'main'], withGitHub());
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /^error: data\.dvc: is not the one on main \([0-9a-f]{12}\): run the refresh in a checkout of main\n$/m,
      );
      // Refused before anything was exported or written.
      expect(result.stderr).not.toContain('staged');
      expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);
    });
  });

  it('stops cleanly on Ctrl-C: data/ always matches data.dvc, old or new, and nothing is left beside it', async () => {
    const { repo } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), CLI, '--builtin'],
      {
        cwd: repo,
        env: env({ PREDICTION_LOG_DIR: logDir }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    // Interrupted once the new version is staged: the copies exist, the workspace is untouched.
    const staged = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('staged the new version')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await Promise.race([staged, exited]);
    child.kill('SIGINT');
    const code = await exited;
    expect([0, 130]).toContain(code);
    const dvcText = await readFile(join(repo, 'data.dvc'), 'utf8');
    const out = parseDvcFile(dvcText, 'data.dvc');
    const data = await scanWorkspace(join(repo, 'data'), true, {
      display: 'data',
      dvcFile: 'data.dvc',
    });
    expect(workspaceMd5(data)).toBe(out.md5);
    if (code === 130) {
      expect(dvcText).toBe(before);
      expect(stderr).toContain('SIGINT: stopped');
    }
    // The staged copy of a stopped refresh goes with the next run's pull.
    const again = await run(repo, [], { PREDICTION_LOG_DIR: logDir });
    expect(again.status).toBe(0);
    expect((await readdir(repo)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe('data:refresh without a token', () => {
  it('keeps the new version in the checkout and says no pull request was opened', async () => {
    const { repo } = await makeCheckout();
    const result = await run(repo, [], { PREDICTION_LOG_DIR: logDir });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'GITHUB_TOKEN is not set: no pull request; commit data.dvc yourself',
    );
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).not.toBe(
      await readFile(join(ROOT, 'data.dvc'), 'utf8'),
    );
  });
});
