import { Octokit } from '@octokit/core';
import { RequestError } from '@octokit/request-error';
import { errorMessage } from '@housing/core/errors';
import type { RetrainInputs } from './retrain-inputs.ts';

/** How much of GitHub's reply to a failed dispatch the log keeps. */
const REPLY_EXCERPT_BYTES = 300;

/**
 * A dispatch that did not go through. `status` and `reply` are what the
 * webhook answers (they say only what failed, never what GitHub said);
 * `message` is for the log, with an excerpt of GitHub's reply.
 */
export class DispatchError extends Error {
  override readonly name = 'DispatchError';

  constructor(
    message: string,
    readonly status: 502 | 503,
    readonly reply: { error: string; github_status?: number },
  ) {
    super(message);
  }
}

/** Where and how the relay calls GitHub. */
export interface GitHubTarget {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  /** The workflow to dispatch: its file name under .github/workflows (ct.yml). */
  workflow: string;
  /** The branch it runs on: the default branch, where release runs. */
  ref: string;
  /** How long one call may take, answer included. */
  timeoutMs: number;
  /** Aborted at shutdown: calls in flight end at once. */
  shutdown: AbortSignal;
}

/** At most `limit` bytes of a reply body, read only that far; '' if it cannot be read. */
async function excerpt(res: Response, limit: number): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // A reply cut off, or the call's deadline hit mid-body: keep what came.
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, limit));
}

/**
 * fetch, reading at most {@link REPLY_EXCERPT_BYTES} of a reply that is not
 * a 2xx: Octokit reads an error reply whole, and GitHub (or whatever answers
 * in its place) could send any amount.
 */
async function boundedFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (res.ok) return res;
  const headers = new Headers(res.headers);
  // The excerpt is plain text now, already decoded, and shorter.
  for (const name of ['content-length', 'content-encoding', 'content-type']) headers.delete(name);
  const nullBody = res.status === 304;
  const reply = nullBody ? null : await excerpt(res, REPLY_EXCERPT_BYTES);
  return new Response(reply, { status: res.status, statusText: res.statusText, headers });
}

/**
 * What an operator should check for the refusals a misconfiguration causes;
 * GitHub's own words follow in the log line.
 */
function hint(target: GitHubTarget, status: number): string {
  const where = `${target.owner}/${target.repo}`;
  switch (status) {
    case 401:
      return ' (GITHUB_TOKEN is not a valid token: expired or revoked?)';
    case 403:
      return ` (the token may not dispatch workflows of ${where}: it needs Actions: write on it)`;
    case 404:
      return ` (no workflow ${target.workflow} in ${where}, or the token cannot see the repository: check GITHUB_REPOSITORY, RETRAIN_WORKFLOW and that the token is granted this repository)`;
    case 422:
      return ` (GitHub refused the ref or the inputs: RETRAIN_REF '${target.ref}' must be a branch of ${where}, and ${target.workflow} must run on workflow_dispatch and declare the inputs reason, group_key and alerts)`;
    default:
      return '';
  }
}

/** Why GitHub did not take the dispatch, for the log and the webhook's answer. */
function refused(
  target: GitHubTarget,
  path: string,
  status: number,
  headers: Record<string, string | number | undefined>,
  data: unknown,
): DispatchError {
  const reply = typeof data === 'string' ? data : (JSON.stringify(data) ?? '');
  const location = headers.location;
  const moved =
    location === undefined
      ? ''
      : ` (redirects to ${String(location).slice(0, REPLY_EXCERPT_BYTES)}: point GITHUB_API_URL or GITHUB_REPOSITORY there)`;
  return new DispatchError(
    `POST ${path} answered ${status}${moved}${hint(target, status)}: ${reply.slice(0, REPLY_EXCERPT_BYTES)}`,
    502,
    { error: 'GitHub failed the dispatch', github_status: status },
  );
}

/**
 * Asks GitHub to run `target.workflow` on `target.ref` with these inputs (a
 * workflow_dispatch, which needs only Actions: write), through Octokit
 * (`@octokit/core`, with no retry plugin: a dispatch is not idempotent, and
 * sending it twice would start two retrains). Resolves only when GitHub
 * accepted it (2xx: GitHub answers 204); otherwise throws a DispatchError:
 * 502 when GitHub answered an error, did not answer within `timeoutMs` or
 * could not be reached, 503 when the relay is shutting down. The deadline covers the whole call, so a GitHub that
 * accepts the connection and never answers cannot hold a webhook for long.
 */
export async function dispatchToGitHub(target: GitHubTarget, inputs: RetrainInputs): Promise<void> {
  const path = `/repos/${target.owner}/${target.repo}/actions/workflows/${target.workflow}/dispatches`;
  const call = new AbortController();
  const timer = setTimeout(() => call.abort('timeout'), target.timeoutMs);
  const onShutdown = () => call.abort('shutdown');
  if (target.shutdown.aborted) onShutdown();
  else target.shutdown.addEventListener('abort', onShutdown, { once: true });
  const octokit = new Octokit({
    auth: target.token,
    baseUrl: target.apiUrl,
    userAgent: 'housing-retrain-relay',
  });
  try {
    let res: { status: number; headers: Record<string, string | number | undefined> };
    try {
      res = await octokit.request({
        method: 'POST',
        url: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
        owner: target.owner,
        repo: target.repo,
        workflow_id: target.workflow,
        data: { ref: target.ref, inputs },
        headers: { 'x-github-api-version': '2022-11-28' },
        request: {
          fetch: boundedFetch,
          signal: call.signal,
          // Only GitHub's own 2xx accepts a dispatch. Following a 301/302/303
          // re-sends the POST as a GET, and a page answering it 200 would pass
          // for an accepted dispatch (cool-down recorded, retrain lost); a 307
          // would re-send the event to wherever it points.
          redirect: 'manual',
        },
      });
    } catch (error) {
      if (call.signal.reason === 'shutdown')
        throw new DispatchError(`POST ${path}: aborted, the relay is shutting down`, 503, {
          error: 'the relay is shutting down; retry',
        });
      if (call.signal.reason === 'timeout')
        throw new DispatchError(`POST ${path}: no answer within ${target.timeoutMs} ms`, 502, {
          error: `GitHub did not answer the dispatch within ${target.timeoutMs} ms`,
        });
      if (error instanceof RequestError && error.response)
        throw refused(target, path, error.status, error.response.headers, error.response.data);
      throw new DispatchError(`POST ${path}: ${errorMessage(error)}`, 502, {
        error: 'GitHub could not be reached',
      });
    }
    // Octokit hands a redirect over as an answer; it is not an acceptance.
    if (res.status < 200 || res.status >= 300)
      throw refused(target, path, res.status, res.headers, '');
  } finally {
    clearTimeout(timer);
    target.shutdown.removeEventListener('abort', onShutdown);
  }
}
