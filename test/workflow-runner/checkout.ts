/**
 * The repository a walk starts from, and actions/checkout's effect. The origin
 * is a clone of this checkout's HEAD with the scenario's push committed on top
 * (so the paths filters and `git diff before after` see real changed files);
 * each job's checkout is a fresh clone of it into a folder that holds nothing
 * else, with node_modules hard-linked from this worktree as .ci/fork-layout.sh
 * does, so a step that reaches beside the checkout finds nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '@housing/test-support/root';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The pushed repository (remove `dirname(dir)` when done): its folder, the commit before the push and the pushed one. */
export interface Origin {
  dir: string;
  before: string;
  sha: string;
  changed: string[];
}

/** Clones HEAD and commits `files` (path -> new content) on top, as the pushed commit. */
export async function makeOrigin(files: Record<string, string>, message: string): Promise<Origin> {
  const dir = join(await mkdtemp(join(tmpdir(), 'walk-origin-')), 'origin');
  git(ROOT, 'clone', '--quiet', ROOT, dir);
  git(dir, 'fetch', '--quiet', ROOT, 'HEAD');
  git(dir, 'checkout', '--quiet', '-B', 'main', 'FETCH_HEAD');
  const before = git(dir, 'rev-parse', 'HEAD');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  git(dir, 'add', '--all');
  git(
    dir,
    '-c',
    'user.name=walk',
    '-c',
    'user.email=walk@example.invalid',
    'commit',
    '--quiet',
    '--allow-empty',
    '-m',
    message,
  );
  const sha = git(dir, 'rev-parse', 'HEAD');
  const changed = git(dir, 'diff', '--name-only', before, sha).split('\n').filter(Boolean);
  return { dir, before, sha, changed };
}

/** An empty GITHUB_WORKSPACE, alone in its own temporary folder (steps before checkout run there). */
export async function emptyWorkspace(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'walk-job-')), 'housing-mlops');
  await mkdir(dir);
  return dir;
}

/** actions/checkout: the pushed commit, cloned into the empty workspace, node_modules linked. */
export async function checkout(origin: Origin, workspace: string): Promise<void> {
  git(workspace, 'clone', '--quiet', origin.dir, '.');
  git(workspace, 'checkout', '--quiet', '--detach', origin.sha);
  const modules = execFileSync(
    'find',
    [
      '.',
      '(',
      '-path',
      './.git',
      '-o',
      '-path',
      './.ci',
      ')',
      '-prune',
      '-o',
      '-type',
      'd',
      '-name',
      'node_modules',
      '-prune',
      '-print',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
  for (const dir of modules) execFileSync('cp', ['-al', join(ROOT, dir), join(workspace, dir)]);
  // vitest's cache is written in place: a hard link would write into the worktree's.
  execFileSync('rm', ['-rf', join(workspace, 'node_modules/.vite')]);
  const beside = await readdir(dirname(workspace));
  if (beside.join() !== 'housing-mlops')
    throw new Error(`${dirname(workspace)} holds more than the checkout: ${beside.join(', ')}`);
}
