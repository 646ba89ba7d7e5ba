import { closeSync, openSync, readSync } from 'node:fs';
import { bearerTokenProblem } from '@housing/core/bearer-token';
import { ConfigurationError, errnoCode } from '@housing/core/errors';

/** The relay's settings, from the environment, validated once at startup. */
export interface RelayConfig {
  host: string;
  port: number;
  /** The bearer token Alertmanager sends (its http_config.authorization). */
  relayToken: string;
  /** A token that may create repository_dispatch events (contents: write). */
  githubToken: string;
  repository: { owner: string; repo: string };
  /** GitHub's API base URL, without a trailing slash. */
  githubApiUrl: string;
  /** How long one call to GitHub may take before the webhook gets a 502. */
  githubTimeoutMs: number;
  /** How long SIGTERM waits for requests in flight before it aborts GitHub calls. */
  shutdownTimeoutMs: number;
  cooldownMs: number;
}

const DEFAULT_API_URL = 'https://api.github.com';

/**
 * GITHUB_API_URL as a base URL to append `/repos/...` to: absolute, http(s),
 * without credentials (the token is GITHUB_TOKEN), query or fragment. The
 * value is not echoed back: a malformed one may hold a secret.
 */
function apiUrl(raw: string | undefined, problems: string[]): string {
  if (raw === undefined || raw === '') return DEFAULT_API_URL;
  const problem = (what: string) => {
    problems.push(`GITHUB_API_URL: ${what} (e.g. ${DEFAULT_API_URL})`);
    return DEFAULT_API_URL;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return problem('not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return problem(`must be http or https, got '${url.protocol}'`);
  if (url.username || url.password) return problem('must not contain credentials');
  if (url.search) return problem('must not have a query');
  if (url.hash) return problem('must not have a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The most a secret file may hold; tokens are far shorter. */
const MAX_SECRET_BYTES = 65_536;

/**
 * A secret file's text, reading at most MAX_SECRET_BYTES + 1 bytes: undefined
 * when it holds more. Read whole, /dev/zero or a wrong path to a large file
 * would never end or fill the heap.
 */
function readSecretFile(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(MAX_SECRET_BYTES + 1);
    let size = 0;
    for (let n = -1; n !== 0 && size < buffer.length; size += n)
      n = readSync(fd, buffer, size, buffer.length - size, null);
    return size > MAX_SECRET_BYTES ? undefined : buffer.toString('utf8', 0, size);
  } finally {
    closeSync(fd);
  }
}

/** A secret from VAR, or from the file VAR_FILE names (compose and Kubernetes secrets). */
function secret(env: NodeJS.ProcessEnv, name: string, problems: string[]): string {
  const file = env[`${name}_FILE`];
  let value = env[name];
  if (file) {
    let text: string | undefined;
    try {
      text = readSecretFile(file);
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${errnoCode(error) ?? 'unreadable'})`);
      return '';
    }
    if (text === undefined) {
      problems.push(
        `${name}_FILE: ${file} is longer than ${MAX_SECRET_BYTES.toLocaleString('en-US')} bytes, more than a token`,
      );
      return '';
    }
    value = text.trim();
  }
  const problem = value ? bearerTokenProblem(value) : undefined;
  if (!value) problems.push(`${name} (or ${name}_FILE) is required`);
  else if (problem) problems.push(`${name}: ${problem}`);
  return value ?? '';
}

/** GitHub's owner and repository names: letters, digits, `-`, `_` and `.`, not `.` or `..`. */
const REPOSITORY_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]+$/;

/** Parses the environment; every problem is named by its variable, all at once. */
export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`${name}: must be a whole number from ${min} to ${max}, got '${raw}'`);
    return n;
  };
  const relayToken = secret(env, 'RELAY_TOKEN', problems);
  if (relayToken && relayToken.length < 16)
    problems.push('RELAY_TOKEN: must be at least 16 characters');
  const githubToken = secret(env, 'GITHUB_TOKEN', problems);
  const [owner, repo, extra] = (env.GITHUB_REPOSITORY ?? '').split('/');
  // Both go into the dispatch URL's path: `..`, `?` or `#` would send it elsewhere.
  if (
    !owner ||
    !repo ||
    extra !== undefined ||
    ![owner, repo].every((n) => REPOSITORY_NAME.test(n))
  )
    problems.push(`GITHUB_REPOSITORY: must be owner/repo, got '${env.GITHUB_REPOSITORY ?? ''}'`);
  const config: RelayConfig = {
    host: env.HOST ?? '127.0.0.1',
    port: int('PORT', 9095, 0, 65535),
    relayToken,
    githubToken,
    repository: { owner: owner ?? '', repo: repo ?? '' },
    githubApiUrl: apiUrl(env.GITHUB_API_URL, problems),
    githubTimeoutMs: int('GITHUB_TIMEOUT_MS', 10_000, 1, 600_000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 5000, 0, 600_000),
    cooldownMs: int('COOLDOWN_SECONDS', 3600, 0, 7 * 24 * 3600) * 1000,
  };
  if (problems.length > 0)
    throw new ConfigurationError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
