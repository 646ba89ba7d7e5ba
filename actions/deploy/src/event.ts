import { context } from '@actions/github';
import { ConfigurationError } from '@housing/core/errors';

/** The events a deploy may run on: deploy.yml's own triggers. */
const DEPLOY_EVENTS = new Set(['push', 'workflow_dispatch']);

/**
 * Refuses any run that is not a push to, or a workflow_dispatch on, the
 * repository's default branch (its name from the event payload's
 * `repository.default_branch`). A self-hosted production runner must only
 * ever run what the default branch says: a pull request (a fork's among
 * them), a tag, a repository_dispatch or a dispatch on another branch could
 * otherwise start a deploy with workflow code nobody merged. Checked first,
 * before any input is read or any program runs.
 */
export function refuseOtherEvents(): void {
  const { eventName, ref } = context;
  const repository = context.payload.repository as { default_branch?: unknown } | undefined;
  const defaultBranch =
    typeof repository?.default_branch === 'string' ? repository.default_branch : '';
  const what = `a ${eventName || '(unnamed)'} event on ${ref || '(no ref)'}`;
  if (!DEPLOY_EVENTS.has(eventName))
    throw new ConfigurationError(
      `deploys run only on a push to, or a workflow_dispatch on, the default branch; this is ${what}`,
    );
  if (!defaultBranch)
    throw new ConfigurationError(
      `the event payload names no repository.default_branch, so ${what} cannot be checked against it`,
    );
  if (ref !== `refs/heads/${defaultBranch}`)
    throw new ConfigurationError(
      `deploys run only on the default branch (refs/heads/${defaultBranch}); this is ${what}`,
    );
}
