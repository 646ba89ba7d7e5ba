import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { housingRemote } from '@housing/test-support/dvc-remote';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import {
  pushDvcRemote,
  S3RVER_ACCOUNT as ACCOUNT,
  startS3Server,
  type S3Server,
} from '@housing/test-support/s3-remote';
import { linesWith, runDoctor } from './run-doctor.ts';

/**
 * The doctor's remote check over the S3 protocol: s3rver on loopback holds
 * the run's data remote as `dvc push` leaves it, and the repository's
 * variables name it as a fork's do. s3rver knows one account (S3RVER) and
 * refuses other access keys; it does not check signatures.
 */
const TOKEN = 'doctor-s3-token-0123456789abcdef';
const BUCKET = 'housing-fork';
const PREFIX = 'dvcstore';
let server: S3Server;
let store: string;
let endpoint: string;
let github: FakeGitHub;

beforeAll(async () => {
  store = await mkdtemp(join(tmpdir(), 'doctor-s3rver-'));
  server = await startS3Server(store, BUCKET);
  endpoint = server.endpoint;
  await pushDvcRemote(endpoint, BUCKET, PREFIX, housingRemote());
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(store, { recursive: true, force: true });
});

beforeEach(async () => {
  github = await startFakeGitHub(TOKEN);
  const s = github.settings;
  s.environments.push(
    { name: 'staging', reviewers: [], secrets: [], variables: {} },
    { name: 'production', reviewers: ['octocat'], secrets: [], variables: {} },
  );
  s.variables.DVC_REMOTE_URL = `s3://${BUCKET}/${PREFIX}`;
  s.variables.DVC_REMOTE_ENDPOINT = endpoint;
  s.secrets.push('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY');
  s.canApprovePullRequests = true;
  s.runners.push({
    name: 'both',
    status: 'online',
    labels: ['staging', 'production'],
    version: '2.330.0',
  });
});
afterEach(async () => {
  await github.close();
});

const doctor = (env: Record<string, string>) =>
  runDoctor(['--repo', 'acme/housing-fork'], {
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
    ...env,
  });

describe('npm run doctor with an S3 remote', () => {
  it('passes when the remote answers with the credentials given, naming where it read', async () => {
    const run = await doctor({ AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: ACCOUNT });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const ok = linesWith(run, 'ok');
    expect(ok).toContain('ok       secret AWS_ACCESS_KEY_ID');
    expect(ok).toContain('ok       secret AWS_SECRET_ACCESS_KEY');
    const remote = ok.find((l) => l.includes('data.dvc on'));
    expect(remote).toContain(
      `data.dvc on s3://${BUCKET}/${PREFIX} at ${endpoint} (the repository variable DVC_REMOTE_URL)`,
    );
    expect(remote).toMatch(
      new RegExp(`s3://${BUCKET}/${PREFIX}/files/md5/[0-9a-f]{2}/[0-9a-f]{30}\\.dir answered`),
    );
    expect(run.stdout).not.toContain(ACCOUNT);
  });

  it('names the remote that refuses the credentials, with the fix', async () => {
    const run = await doctor({ AWS_ACCESS_KEY_ID: 'NOT-AN-ACCOUNT', AWS_SECRET_ACCESS_KEY: 'x' });
    expect(run.code).toBe(1);
    const missing = linesWith(run, 'MISSING');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatch(
      /data\.dvc on s3:\/\/housing-fork\/dvcstore .*refused the credentials/,
    );
    expect(run.stdout).toContain('fix: give this shell the credentials the workflows get');
  });

  it('asks for the AWS secrets on GitHub unless a role is set for OIDC', async () => {
    github.settings.secrets.length = 0;
    const env = { AWS_ACCESS_KEY_ID: ACCOUNT, AWS_SECRET_ACCESS_KEY: ACCOUNT };
    const keys = await doctor(env);
    expect(keys.code).toBe(1);
    expect(linesWith(keys, 'MISSING').map((l) => l.split(':')[0])).toEqual([
      'MISSING  secret AWS_ACCESS_KEY_ID',
      'MISSING  secret AWS_SECRET_ACCESS_KEY',
    ]);
    expect(keys.stdout).toContain('fix: gh secret set AWS_ACCESS_KEY_ID --repo acme/housing-fork');
    github.settings.variables.AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/housing-data';
    const role = await doctor(env);
    expect(role.code, role.stdout).toBe(0);
    expect(linesWith(role, 'ok')).toContain(
      'ok       variable AWS_ROLE_ARN: the data jobs assume it by OIDC',
    );
  });

  it('asks the remote --remote and --endpoint name over the repository variables', async () => {
    github.settings.variables.DVC_REMOTE_URL = 's3://elsewhere/nothing';
    const run = await runDoctor(
      [
        '--repo',
        'acme/housing-fork',
        '--remote',
        `s3://${BUCKET}/${PREFIX}`,
        '--endpoint',
        endpoint,
      ],
      {
        GITHUB_TOKEN: TOKEN,
        GITHUB_API_URL: github.url,
        AWS_ACCESS_KEY_ID: ACCOUNT,
        AWS_SECRET_ACCESS_KEY: ACCOUNT,
      },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`data.dvc on s3://${BUCKET}/${PREFIX} at ${endpoint} (--remote)`);
  });
});
