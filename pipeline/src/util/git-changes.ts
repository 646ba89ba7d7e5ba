import { execFile } from 'node:child_process';
import { posix } from 'node:path';

/** Runs git in `cwd`; resolves with its stdout, or undefined when it fails or is not installed. */
function git(args: string[], cwd: string, program: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 2 ** 20 }, (error, stdout) =>
      resolve(error ? undefined : stdout),
    );
  });
}

/**
 * Which of `paths` (relative to `cwd`, in their order) differ from git's HEAD:
 * modified, staged, deleted or untracked. Undefined when `cwd` is not inside a
 * git work tree or git is not installed: there is then nothing to commit to,
 * and that is no error. Ignored files are not changes.
 *
 * @param program - the git to run; a test names one that does not exist.
 */
export async function changedFromHead(
  paths: string[],
  cwd: string,
  program = 'git',
): Promise<string[] | undefined> {
  // The folder's path inside the work tree ('' at its top): status names files from the top.
  const prefix = await git(['rev-parse', '--show-prefix'], cwd, program);
  if (prefix === undefined) return undefined;
  const status = await git(
    ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths],
    cwd,
    program,
  );
  if (status === undefined) return undefined;
  const changed = new Set<string>();
  const fields = status.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i]!;
    if (entry.length < 4) continue;
    changed.add(entry.slice(3));
    // A rename or copy is followed by the path it came from.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  const top = prefix.trim();
  return paths.filter((path) => changed.has(posix.join(top, posix.normalize(path))));
}
