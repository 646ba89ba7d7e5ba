import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { RequestError } from '@octokit/request-error';
import { ConfigurationError, GitHubApiError } from '@housing/core/errors';

/**
 * `@octokit/core` with `paginate`, as the relay uses it (the actions' client
 * lives in `actions/shared`, built on `@actions/github`'s workflow context,
 * which a command run by a person has no use for). The doctor only reads, so
 * nothing here can change a repository.
 */
const Client = Octokit.plugin(paginateRest);
export type GitHub = InstanceType<typeof Client>;

/** The repository the doctor checks, and how to reach it. */
export interface Target {
  owner: string;
  repo: string;
  /** The REST API's base (GITHUB_API_URL). */
  apiUrl: string;
  /** The web pages the fixes link to: https://github.com, or a GitHub Enterprise host. */
  webUrl: string;
  /** Which variable the token came from, for messages; the token itself is never printed. */
  tokenVariable: string;
}

/** The web host beside an API url: api.github.com -> github.com, GHES /api/v3 -> its host. */
export function webUrlOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

/**
 * An Octokit for `token` at `apiUrl`; every error answer becomes a
 * {@link GitHubApiError}, and no answer a ConfigurationError naming GITHUB_API_URL.
 */
export function gitHub(token: string, apiUrl: string): GitHub {
  const octokit = new Client({ auth: token, baseUrl: apiUrl, userAgent: 'housing-mlops-doctor' });
  octokit.hook.error('request', (error) => {
    if (!(error instanceof RequestError)) throw error;
    // No answer at all: a wrong GITHUB_API_URL or no network, one line, not a stack.
    if (!error.response)
      throw new ConfigurationError(
        `cannot reach GitHub at ${apiUrl}: ${error.message}`,
        'GITHUB_API_URL',
      );
    const data: unknown = error.response.data;
    const body = typeof data === 'string' ? data : (JSON.stringify(data) ?? '');
    const base = new URL(apiUrl).pathname.replace(/\/+$/, '');
    const path = new URL(error.request.url).pathname.slice(base.length);
    throw new GitHubApiError(error.request.method, path || '/', error.status, body);
  });
  return octokit;
}

/**
 * Reads the repository once, before any check: a token GitHub refuses, or a
 * repository it cannot see, is one line naming the variable and the fix
 * (exit 2, like any other bad input), not a list of checks that all failed.
 */
export async function checkAccess(gh: GitHub, target: Target): Promise<{ private: boolean }> {
  try {
    const { data } = await gh.request('GET /repos/{owner}/{repo}', {
      owner: target.owner,
      repo: target.repo,
    });
    return { private: data.private };
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 401)
      throw new ConfigurationError(
        `GitHub refused the token (401 Bad credentials): set a valid one, e.g. ${target.tokenVariable}=$(gh auth token)`,
        target.tokenVariable,
      );
    if (error instanceof GitHubApiError && (error.status === 404 || error.status === 403))
      throw new ConfigurationError(
        `${target.owner}/${target.repo}: GitHub answered ${error.status}: no such repository, or the token in ${target.tokenVariable} cannot see it`,
        '--repo',
      );
    throw error;
  }
}

/**
 * A read the token may not be allowed (secrets, runners and the workflow
 * permissions need admin rights, or the fine-grained permissions the README
 * lists): its value, or a GitHubApiError of 403/404 to report as a check.
 */
export async function readable<T>(read: () => Promise<T>): Promise<T | GitHubApiError> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof GitHubApiError && (error.status === 403 || error.status === 404))
      return error;
    throw error;
  }
}
