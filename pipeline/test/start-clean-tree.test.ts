/**
 * `npm start` in a fresh clone of the repository leaves git's tree clean: the
 * committed dvc.lock and reports are exactly what a run from a clean checkout
 * produces. A change that reruns stages makes it name what to commit instead.
 *
 * When this fails after a change to the pipeline's code, params or data.dvc,
 * dvc.lock and reports/ are out of date: run `npm start -- --no-serve` in a
 * clean clone and commit the files it names (the second test shows the message).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE, ROOT } from './helpers.ts';

const HINT = 'This run changed what git keeps of the pipeline (dvc.lock, the metrics and plots):';

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** `npm start -- --no-serve` in `cwd`, as a user runs it; stdout and stderr together. */
function npmStart(cwd: string): { status: number | null; output: string } {
  const run = spawnSync('npm', ['start', '--', '--no-serve'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 240_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * A clone of the checkout's HEAD in a folder with nothing beside it: the
 * installed node_modules linked in (git told to ignore the links), and its
 * remote pointed at the test data's in .dvc/config.local, as a fork would.
 */
async function cleanClone(dir: string): Promise<string> {
  const clone = join(dir, 'repo');
  git(dir, 'clone', '--quiet', ROOT, clone);
  const { workspaces } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  for (const folder of ['.', ...workspaces])
    if (existsSync(join(ROOT, folder, 'node_modules')))
      await symlink(join(ROOT, folder, 'node_modules'), join(clone, folder, 'node_modules'));
  // .gitignore's `node_modules/` names folders; these are links.
  await appendFile(join(clone, '.git/info/exclude'), 'node_modules\n');
  await writeFile(join(clone, '.dvc/config.local'), `['remote "shared"']\n    url = ${REMOTE}\n`);
  return clone;
}

describe('npm start in a fresh clone', () => {
  let dir: string;
  let clone: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'start-clean-tree-'));
    clone = await cleanClone(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves the tree clean: the committed dvc.lock and reports are what it produces', () => {
    expect(git(clone, 'status', '--porcelain')).toBe('');
    const run = npmStart(clone);
    expect(run.status, run.output).toBe(0);
    expect(
      git(clone, 'status', '--porcelain'),
      'dvc.lock or reports/ differ from what a clean checkout produces: run npm start -- --no-serve in a clean clone and commit what it names',
    ).toBe('');
    expect(run.output).not.toContain(HINT);
  }, 300_000);

  it('names dvc.lock and the reports, and how to commit them, when a change reruns the stages', async () => {
    const params = join(clone, 'params.yaml');
    // The validate stage tracks validate.*, train and evaluate gbdt.* (and what validate writes).
    await writeFile(
      params,
      (await readFile(params, 'utf8'))
        .replace(/psi_warn: [\d.]+/, 'psi_warn: 0.11')
        .replace(/max_rounds: \d+/, 'max_rounds: 30'),
    );
    const run = npmStart(clone);
    // Fewer rounds make a worse model than the one the first run promoted: the gate may refuse it.
    expect([0, 1], run.output).toContain(run.status);
    const record = [
      'dvc.lock',
      'reports/validation.json',
      'reports/training_curve.csv',
      'reports/metrics.json',
    ];
    expect(run.output).toContain(
      [
        HINT,
        ...record.map((file) => `  ${file}`),
        'Commit them, with the change to the params, code or data that produced them:',
        `  git add ${record.join(' ')} && git commit -m "Record the pipeline run"`,
      ].join('\n'),
    );
    expect(git(clone, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual(
      [' M params.yaml', ...record.map((file) => ` M ${file}`)].sort(),
    );
  }, 300_000);
});
