/**
 * What `npm start` says after a run about the record git keeps (dvc.lock and
 * the `cache: false` metrics and plots): nothing when they match HEAD; the
 * changed files and the command that commits them otherwise; nothing, and no
 * failure, outside a git work tree or without git. Runs the real git.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRecordHint, uncommittedRecord } from '../src/runner/record-hint.ts';
import { changedFromHead } from '../src/util/git-changes.ts';
import { tempDir } from './helpers.ts';

const DVC_YAML = [
  'stages:',
  '  train:',
  '    cmd: make',
  '    outs: [model.bin]',
  '    metrics:',
  '      - reports/metrics.json:',
  '          cache: false',
  '    plots:',
  '      - reports/curve.csv:',
  '          cache: false',
  '',
].join('\n');

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync(
    'git',
    ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
    { cwd, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** A repository whose HEAD holds dvc.yaml, dvc.lock and both reports. */
async function committedRun(): Promise<string> {
  const repo = await tempDir('record-hint-');
  await mkdir(join(repo, 'reports'));
  await writeFile(join(repo, 'dvc.yaml'), DVC_YAML);
  await writeFile(join(repo, 'dvc.lock'), "schema: '2.0'\nstages: {}\n");
  await writeFile(join(repo, 'reports/metrics.json'), '{"rmse": 1}\n');
  await writeFile(join(repo, 'reports/curve.csv'), 'round,rmse\n1,1\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'a run');
  return repo;
}

describe("the pipeline record's commit hint", () => {
  it('says nothing when dvc.lock and the reports match HEAD, whatever else changed', async () => {
    const repo = await committedRun();
    await writeFile(join(repo, 'model.bin'), 'a cached output: not git-kept');
    await writeFile(join(repo, 'dvc.yaml'), `${DVC_YAML}# edited\n`);
    expect(await uncommittedRecord(repo)).toEqual([]);
    expect(formatRecordHint([])).toBe('');
  });

  it('names each changed, new or deleted file of the record and the command that commits them', async () => {
    const repo = await committedRun();
    await writeFile(join(repo, 'dvc.lock'), "schema: '2.0'\nstages:\n  train:\n    cmd: make\n");
    await rm(join(repo, 'reports/curve.csv'));
    expect(await uncommittedRecord(repo)).toEqual(['dvc.lock', 'reports/curve.csv']);
    // Staged counts as uncommitted too; so does a report that HEAD never held.
    git(repo, 'add', 'dvc.lock');
    await rm(join(repo, 'reports'), { recursive: true });
    await mkdir(join(repo, 'reports'));
    await writeFile(join(repo, 'reports/metrics.json'), '{"rmse": 2}\n');
    git(repo, 'rm', '-q', '--cached', 'reports/metrics.json');
    const files = await uncommittedRecord(repo);
    expect(files).toEqual(['dvc.lock', 'reports/metrics.json', 'reports/curve.csv']);
    expect(formatRecordHint(files)).toBe(
      [
        '',
        'This run changed what git keeps of the pipeline (dvc.lock, the metrics and plots):',
        '  dvc.lock',
        '  reports/metrics.json',
        '  reports/curve.csv',
        'Commit them, with the change to the params, code or data that produced them:',
        '  git add dvc.lock reports/metrics.json reports/curve.csv && git commit -m "Record the pipeline run"',
        '',
      ].join('\n'),
    );
  });

  it('quotes a path the shell would split', () => {
    expect(formatRecordHint(['dvc.lock', "my reports/it's.json"])).toContain(
      `git add dvc.lock 'my reports/it'\\''s.json' && git commit`,
    );
  });

  it('finds the files from a project folder inside a larger repository', async () => {
    const repo = await tempDir('record-hint-outer-');
    const project = join(repo, 'ml', 'housing');
    await mkdir(join(project, 'reports'), { recursive: true });
    await writeFile(join(project, 'dvc.yaml'), DVC_YAML);
    await writeFile(join(project, 'dvc.lock'), 'old\n');
    git(repo, 'init', '-q');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'project');
    await writeFile(join(project, 'dvc.lock'), 'new\n');
    await writeFile(join(project, 'reports/metrics.json'), '{}\n');
    expect(await uncommittedRecord(project)).toEqual(['dvc.lock', 'reports/metrics.json']);
  });

  it('says nothing, and does not fail, outside a git work tree or without git', async () => {
    const plain = await tempDir('record-hint-plain-');
    await writeFile(join(plain, 'dvc.yaml'), DVC_YAML);
    await writeFile(join(plain, 'dvc.lock'), 'x\n');
    // A temporary folder is in no work tree, unless the system's temp dir is in one.
    const outside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: plain });
    expect(outside.status).not.toBe(0);
    expect(await uncommittedRecord(plain)).toBeUndefined();
    expect(formatRecordHint(undefined)).toBe('');

    const repo = await committedRun();
    await writeFile(join(repo, 'dvc.lock'), 'changed\n');
    expect(await changedFromHead(['dvc.lock'], repo)).toEqual(['dvc.lock']);
    expect(await changedFromHead(['dvc.lock'], repo, 'git-is-not-installed')).toBeUndefined();
  });
});
