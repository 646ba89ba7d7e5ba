import { EnvReader } from '@housing/core/env';

/** The relay's settings, from the environment, validated once at startup. */
export interface RelayConfig {
  host: string;
  port: number;
  /** The bearer token Alertmanager sends (its http_config.authorization). */
  relayToken: string;
  /** A token that may dispatch the repository's workflows (Actions: write, nothing more). */
  githubToken: string;
  repository: { owner: string; repo: string };
  /** The workflow the relay dispatches, by file name (ct.yml). */
  workflow: string;
  /** The branch it runs on: the default branch. */
  ref: string;
  /** GitHub's API base URL, without a trailing slash. */
  githubApiUrl: string;
  /** How long one call to GitHub may take before the webhook gets a 502. */
  githubTimeoutMs: number;
  /** How long SIGTERM waits for requests in flight before it aborts GitHub calls. */
  shutdownTimeoutMs: number;
  cooldownMs: number;
}

const DEFAULT_API_URL = 'https://api.github.com';

/** GitHub's owner and repository names: letters, digits, `-`, `_` and `.`, not `.` or `..`. */
const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/** A workflow's file name under .github/workflows; it goes into the URL's path. */
const WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;

/** A branch name: git's rules, short of the rarest (no `..`, no leading or trailing `/`). */
const BRANCH_NAME = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]+$/;

/** Parses the environment; every problem is named by its variable, all at once. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const read = new EnvReader(env);
  const int = (name: string, fallback: number, min: number, max: number) =>
    read.int(name, { fallback, min, max, wording: 'named' });
  const relayToken = read.secret('RELAY_TOKEN', {
    required: true,
    file: true,
    minLength: { chars: 16 },
  });
  const githubToken = read.secret('GITHUB_TOKEN', { required: true, file: true });
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, extra] = repository.split('/');
  // Both go into the dispatch URL's path: `..`, `?` or `#` would send it elsewhere.
  if (
    !owner ||
    !repo ||
    extra !== undefined ||
    ![owner, repo].every((n) => REPOSITORY_NAME.test(n))
  )
    read.problem(`GITHUB_REPOSITORY: must be owner/repo, got '${repository}'`);
  const workflow = read.string('RETRAIN_WORKFLOW', 'ct.yml');
  if (!WORKFLOW_FILE.test(workflow))
    read.problem(
      `RETRAIN_WORKFLOW: must be a workflow's file name (e.g. ct.yml), got '${workflow}'`,
    );
  const ref = read.string('RETRAIN_REF', 'main');
  if (!BRANCH_NAME.test(ref))
    read.problem(`RETRAIN_REF: must be a branch name (e.g. main), got '${ref}'`);
  const config: RelayConfig = {
    host: read.string('HOST', '127.0.0.1'),
    port: int('PORT', 9095, 0, 65535),
    relayToken,
    githubToken,
    repository: { owner: owner ?? '', repo: repo ?? '' },
    workflow,
    ref,
    // GitHub Enterprise's API lives elsewhere; the token is GITHUB_TOKEN, never in the URL.
    githubApiUrl: read.baseUrl('GITHUB_API_URL', DEFAULT_API_URL),
    githubTimeoutMs: int('GITHUB_TIMEOUT_MS', 10_000, 1, 600_000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 5000, 0, 600_000),
    cooldownMs: read.secondsAsMs('COOLDOWN_SECONDS', {
      fallback: 3600,
      min: 0,
      max: 7 * 24 * 3600,
      wording: 'named',
    }),
  };
  read.finish();
  return config;
}
