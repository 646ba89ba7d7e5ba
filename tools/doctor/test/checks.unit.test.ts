import { describe, expect, it } from 'vitest';
import { GitHubApiError } from '@housing/core/errors';
import { settingsSections } from '../src/checks.ts';
import { webUrlOf, type Target } from '../src/github.ts';
import { formatReport } from '../src/report.ts';
import { atLeast, MIN_RUNNER_VERSION } from '../src/requirements.ts';
import type { Snapshot } from '../src/snapshot.ts';

const TARGET: Target = {
  owner: 'acme',
  repo: 'fork',
  apiUrl: 'https://api.github.com',
  webUrl: 'https://github.com',
  tokenVariable: 'GITHUB_TOKEN',
};

/** A complete setup with an s3:// remote and keys. */
function complete(): Snapshot {
  return {
    private: false,
    environments: [
      { name: 'staging', reviewers: 0, secrets: new Set(), variables: new Map() },
      { name: 'production', reviewers: 2, secrets: new Set(), variables: new Map() },
    ],
    variables: new Map([['DVC_REMOTE_URL', 's3://bucket/housing']]),
    secrets: new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']),
    canApprovePullRequests: true,
    runners: [
      {
        name: 'a',
        status: 'online',
        labels: ['self-hosted', 'staging', 'production'],
        version: '2.327.1',
      },
    ],
  };
}

const statuses = (s: Snapshot) =>
  settingsSections(s, TARGET)
    .flatMap((section) => section.checks)
    .map((c) => `${c.status} ${c.what}`);

describe('the doctor judges a snapshot of the settings', () => {
  it('finds nothing missing in a complete setup, one runner serving both environments', () => {
    expect(statuses(complete()).filter((s) => s.startsWith('missing'))).toEqual([]);
    expect(formatReport('h', settingsSections(complete(), TARGET)).missing).toBe(0);
  });

  it('asks nothing of an http remote, and warns for a kind the workflows give no credentials', () => {
    const http = complete();
    (http.variables as Map<string, string>).set('DVC_REMOTE_URL', 'https://dvc.example/housing');
    (http.secrets as Set<string>).clear();
    expect(statuses(http)).toContain('none secret DVC_HTTP_USER');
    expect(statuses(http).filter((s) => s.startsWith('missing'))).toEqual([]);
    const gs = complete();
    (gs.variables as Map<string, string>).set('DVC_REMOTE_URL', 'gs://bucket/housing');
    expect(statuses(gs)).toContain('warn remote credentials');
  });

  it('reports a runner that never connected as a warning, not as missing', () => {
    const s = complete();
    (s.runners as { version: string | null }[])[0]!.version = null;
    const found = statuses(s);
    expect(found).toContain('warn runner [self-hosted, staging]');
    expect(formatReport('h', settingsSections(s, TARGET)).missing).toBe(0);
  });

  it('names the permission a refused read needs', () => {
    const s = complete();
    s.secrets = new GitHubApiError('GET', '/repos/acme/fork/actions/secrets', 403, '');
    const check = settingsSections(s, TARGET)
      .flatMap((section) => section.checks)
      .find((c) => c.what === 'secret AWS_ACCESS_KEY_ID');
    expect(check?.status).toBe('missing');
    expect(check?.fix).toContain('Secrets: read');
  });
});

describe('versions and hosts', () => {
  it('compares runner versions by number', () => {
    expect(atLeast('2.327.1', MIN_RUNNER_VERSION)).toBe(true);
    expect(atLeast('2.330.0', MIN_RUNNER_VERSION)).toBe(true);
    expect(atLeast('3.0.0', MIN_RUNNER_VERSION)).toBe(true);
    expect(atLeast('2.327.0', MIN_RUNNER_VERSION)).toBe(false);
    expect(atLeast('2.99.9', MIN_RUNNER_VERSION)).toBe(false);
  });

  it('links fixes to the web host beside the API', () => {
    expect(webUrlOf('https://api.github.com')).toBe('https://github.com');
    expect(webUrlOf('https://ghe.example/api/v3')).toBe('https://ghe.example');
    expect(webUrlOf('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });
});
