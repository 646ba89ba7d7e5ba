import { execFileSync } from 'node:child_process';

/** The commit being built: GITHUB_SHA in Actions, else git's HEAD, else 'unknown'. */
export function gitSha(cwd = process.cwd()): string {
  if (process.env.GITHUB_SHA) return process.env.GITHUB_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}
