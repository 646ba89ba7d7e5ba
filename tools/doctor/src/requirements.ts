/**
 * What the workflows need of a repository, by name, as `.github/workflows/*.yml`
 * and `.github/actions/pull-data/action.yml` read them. README.md "Run it on
 * your GitHub" lists the same, in order, with why.
 */

/** The GitHub environments deploy.yml's jobs name; production must have required reviewers. */
export const ENVIRONMENTS = ['staging', 'production'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];
export const REVIEWED_ENVIRONMENT: EnvironmentName = 'production';

/**
 * The oldest actions/runner release that runs `using: node24` actions (this
 * repository's actions, and actions/checkout v5+): v2.327.1, per its release
 * notes (https://github.com/actions/runner/releases/tag/v2.327.1), as
 * actions/checkout's README states it.
 */
export const MIN_RUNNER_VERSION = '2.327.1';

/** Repository variables the workflows read. */
export const VARIABLES = {
  remoteUrl: 'DVC_REMOTE_URL',
  remoteEndpoint: 'DVC_REMOTE_ENDPOINT',
  awsRole: 'AWS_ROLE_ARN',
  awsRegion: 'AWS_REGION',
  httpAuthHeader: 'DVC_HTTP_AUTH_HEADER',
  appId: 'APP_ID',
} as const;

/** Repository secrets the workflows read. */
export const SECRETS = {
  awsKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecret: 'AWS_SECRET_ACCESS_KEY',
  httpUser: 'DVC_HTTP_USER',
  httpPassword: 'DVC_HTTP_PASSWORD',
  appKey: 'APP_PRIVATE_KEY',
} as const;

/** Whether `version` (x.y.z) is at least `min`. */
export function atLeast(version: string, min: string): boolean {
  const [a, b] = [version, min].map((v) => v.split('.').map((n) => Number.parseInt(n, 10) || 0));
  for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return (a![i] ?? 0) > (b![i] ?? 0);
  return true;
}
