import { context, getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { RequestError } from '@octokit/request-error';
import { ConfigurationError, GitHubApiError } from '@housing/core/errors';

/** The Octokit the actions call GitHub with: REST methods, `paginate`, retries for reads. */
export type GitHub = ReturnType<typeof getOctokit>;

/** The repository the workflow runs in, as `github.context` reads it from GITHUB_REPOSITORY. */
export function currentRepo(): { owner: string; repo: string } {
  let repo: { owner?: string; repo?: string } | undefined;
  try {
    repo = context.repo;
  } catch {
    // context.repo throws a plain Error when GITHUB_REPOSITORY is unset.
  }
  if (!repo?.owner || !repo.repo)
    throw new ConfigurationError('GITHUB_REPOSITORY is not owner/repo');
  return { owner: repo.owner, repo: repo.repo };
}

/**
 * Methods that change nothing on GitHub. Only these are ever sent twice (by
 * the retry and throttling plugins): a POST that timed out may have been
 * applied, and a second one would make a second release, comment or
 * deployment.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** Retries a rate-limited read twice at most; never a write. */
const retryReads = (
  _after: number,
  options: { method: string },
  _octokit: unknown,
  count: number,
) => SAFE_METHODS.has(options.method) && count < 2;

/**
 * GitHub's error answer as a {@link GitHubApiError} (method, path, status and
 * the start of the body); any other failure (no answer at all) is returned
 * as it is. `baseUrl` is cut from the path, so messages name the endpoint.
 */
export function toGitHubApiError(error: unknown, baseUrl: string): unknown {
  if (!(error instanceof RequestError) || !error.response) return error;
  const url = error.request.url;
  const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : new URL(url).pathname;
  const data: unknown = error.response.data;
  const body =
    typeof data === 'string'
      ? data
      : data instanceof ArrayBuffer
        ? Buffer.from(data).toString('utf8')
        : (JSON.stringify(data) ?? '');
  return new GitHubApiError(error.request.method, path, error.status, body.slice(0, 300));
}

/**
 * The Octokit of `@actions/github` for `token`, pointed at GITHUB_API_URL
 * (GitHub Enterprise, or a loopback fake in the tests). Reads are retried on
 * server errors and rate limits; writes never are. Every error answer
 * becomes a {@link GitHubApiError}, here and nowhere else.
 */
export function gitHub(
  token: string,
  baseUrl = process.env.GITHUB_API_URL ?? 'https://api.github.com',
): GitHub {
  const octokit = getOctokit(
    token,
    {
      baseUrl,
      userAgent: 'housing-mlops-actions',
      throttle: { onRateLimit: retryReads, onSecondaryRateLimit: retryReads },
    },
    retry,
    throttling,
  );
  // Registered after the plugins, so these wrap them: the retry plugin reads
  // `retries` from the options this sets, and the error seen here is final.
  octokit.hook.before('request', (options) => {
    if (!SAFE_METHODS.has(options.method)) options.request = { ...options.request, retries: 0 };
  });
  octokit.hook.error('request', (error) => {
    throw toGitHubApiError(error, baseUrl);
  });
  return octokit;
}
