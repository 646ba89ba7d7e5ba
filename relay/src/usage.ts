import type { CommandHelp } from '@housing/core/args';

/** What `npm run relay -- --help` prints above its flags: what the relay does and every variable it reads. */
export const RELAY_HELP: CommandHelp = {
  command: 'npm run relay',
  summary: `The retrain relay: Alertmanager's retrain receiver posts to
POST /v1/alertmanager, and the relay asks GitHub for one workflow_dispatch of
ct.yml per alert group and cool-down. GET /healthz is its liveness
probe. It is configured by the environment only:

  RELAY_TOKEN, RELAY_TOKEN_FILE    the bearer token Alertmanager sends (required, 16+ characters)
  GITHUB_TOKEN, GITHUB_TOKEN_FILE  a token with Actions: write on the repository, nothing more (required)
  GITHUB_REPOSITORY                owner/repo (required; letters, digits, - _ .)
  RETRAIN_WORKFLOW                 the workflow to dispatch, by file name (default ct.yml)
  RETRAIN_REF                      the branch it runs on: the default branch (default main)
  GITHUB_API_URL                   GitHub's API (default https://api.github.com)
  GITHUB_TIMEOUT_MS                how long a call to GitHub may take before a 502 (default 10000)
  COOLDOWN_SECONDS                 how long one alert group waits before it may trigger again (default 3600)
  SHUTDOWN_TIMEOUT_MS              how long SIGTERM waits for requests in flight (default 5000)
  HOST, PORT                       where it listens (default 127.0.0.1, 9095)`,
};
