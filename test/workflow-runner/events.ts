/**
 * Event payloads and refs as GitHub sets them for the events the walk starts
 * (the fields the workflows and actions read, with their real names).
 */
import type { Value } from './expressions.ts';
import type { Origin } from './checkout.ts';

const repo = (fullName: string) => ({
  full_name: fullName,
  name: fullName.split('/')[1]!,
  owner: { login: fullName.split('/')[0]! },
  default_branch: 'main',
});

/** A push to `branch`: before, after, the head commit and its message. */
export function pushEvent(origin: Origin, repository: string, message: string, branch = 'main') {
  return {
    event: 'push' as const,
    ref: `refs/heads/${branch}`,
    payload: {
      ref: `refs/heads/${branch}`,
      before: origin.before,
      after: origin.sha,
      repository: repo(repository),
      head_commit: { id: origin.sha, message },
      commits: [{ id: origin.sha, message, modified: origin.changed }],
    } satisfies Record<string, Value>,
  };
}

/** A pull request to main from `headRepository` (another owner's fork when it differs). */
export function pullRequestEvent(
  origin: Origin,
  repository: string,
  headRepository: string,
  number = 7,
) {
  return {
    event: 'pull_request' as const,
    ref: `refs/pull/${number}/merge`,
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        head: { ref: 'feature', sha: origin.sha, repo: repo(headRepository) },
        base: { ref: 'main', sha: origin.before, repo: repo(repository) },
      },
      repository: repo(repository),
    } satisfies Record<string, Value>,
  };
}

/** A workflow_dispatch of one workflow on main with its inputs. */
export function dispatchEvent(
  repository: string,
  workflow: string,
  inputs: Record<string, string>,
) {
  return {
    event: 'workflow_dispatch' as const,
    ref: 'refs/heads/main',
    payload: {
      ref: 'refs/heads/main',
      workflow: `.github/workflows/${workflow}`,
      inputs,
      repository: repo(repository),
    } satisfies Record<string, Value>,
  };
}
