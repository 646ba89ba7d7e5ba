import { spawnSync } from 'node:child_process';
import {
  chmod,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@housing/core/logger';
import {
  pushDvcRemote,
  putS3Object,
  startS3Server,
  type S3Server,
} from '@housing/test-support/s3-remote';
import { httpSettings } from '../src/dvc/remote.ts';
import { parseS3Url, s3ClientOptions } from '../src/dvc/s3-remote.ts';
import { md5OfFile, pullData } from '../src/dvc/pull.ts';
import { HOUSING_MD5, REMOTE, ROOT, tempDir } from './helpers.ts';

/**
 * The built-in pull from an S3 remote, against s3rver: a real S3-protocol
 * server on loopback, through the real AWS SDK. s3rver knows one account
 * (S3RVER / S3RVER) and refuses unknown access keys; it does not check SigV4
 * signatures, so a right key with a wrong secret passes here where AWS would
 * refuse it.
 */
const BUCKET = 'housing-data';
const PREFIX = 'dvcstore';
const CSV_KEY = `${PREFIX}/files/md5/92/6e9da0bad793e03c119a4f5809f65c`;
let server: S3Server;
let endpoint: string;
let storeDir: string;

/** Writes an object straight through the S3 API with the good account. */
const putObject = (key: string, body: Uint8Array | string) =>
  putS3Object(endpoint, BUCKET, key, body);

/** A repo with the project's data.dvc and an s3 remote; `local` is .dvc/config.local's body. */
async function makeRepo(local: string): Promise<string> {
  const repo = await tempDir('pull-s3-repo-');
  await cp(join(ROOT, 'data.dvc'), join(repo, 'data.dvc'));
  await mkdir(join(repo, '.dvc'));
  // The committed config names the bucket; endpoint and secrets are local, as a fork keeps them.
  await writeFile(
    join(repo, '.dvc/config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = s3://${BUCKET}/${PREFIX}\n`,
  );
  await writeFile(
    join(repo, '.dvc/config.local'),
    `['remote "store"']\n    endpointurl = ${endpoint}\n${local}`,
  );
  return repo;
}

const pull = (root: string) => pullData({ root, logger: silentLogger });
const AWS_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'] as const;
const saved = Object.fromEntries(AWS_VARIABLES.map((v) => [v, process.env[v]]));

beforeAll(async () => {
  // Not tempDir(): that one is emptied after each test, and the store lives for the file.
  storeDir = await mkdtemp(join(tmpdir(), 's3rver-'));
  server = await startS3Server(storeDir, BUCKET);
  endpoint = server.endpoint;
  await pushDvcRemote(endpoint, BUCKET, PREFIX, REMOTE);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await rm(storeDir, { recursive: true, force: true });
});

afterEach(() => {
  for (const v of AWS_VARIABLES) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

describe('pull from an S3 remote (s3rver on loopback, the real AWS SDK)', () => {
  it('pulls and verifies the data with credentials from .dvc/config.local', async () => {
    const repo = await makeRepo('    access_key_id = S3RVER\n    secret_access_key = S3RVER\n');
    const result = await pull(repo);
    expect(result.fetched).toEqual(['data/housing.csv']);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
  });

  it('pulls with credentials from the standard AWS variables', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    const repo = await makeRepo('');
    await pull(repo);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
  });

  it('says the credentials were refused, and how to set them, without printing the secret', async () => {
    const repo = await makeRepo(
      '    access_key_id = NOBODY\n    secret_access_key = not-the-secret-123\n',
    );
    const error = await pull(repo).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /s3 remote 'store' .* refused the credentials \(InvalidAccessKeyId\).*AWS_ACCESS_KEY_ID/,
    );
    expect(error?.message).not.toContain('not-the-secret-123');
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('names the missing object and where it looked', async () => {
    const repo = await makeRepo('    access_key_id = S3RVER\n    secret_access_key = S3RVER\n');
    // Another prefix than the one pushed to: every object is missing there.
    const config = join(repo, '.dvc/config');
    await writeFile(config, (await readFile(config, 'utf8')).replace(PREFIX, 'never-pushed'));
    await expect(pull(repo)).rejects.toThrow(
      /object 75ab717b82da4be74ecd7573c52aeef2\.dir for data\/ \(directory manifest\) is missing from s3 remote 'store'.*s3:\/\/housing-data\/never-pushed\/files\/md5\/75\/ab717b82da4be74ecd7573c52aeef2\.dir answered 404/,
    );
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('says the bucket does not exist, not that an object was never pushed', async () => {
    const repo = await makeRepo('    access_key_id = S3RVER\n    secret_access_key = S3RVER\n');
    const config = join(repo, '.dvc/config');
    await writeFile(config, (await readFile(config, 'utf8')).replace(BUCKET, 'no-such-bucket'));
    const error = await pull(repo).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /s3 remote 'store' \(s3:\/\/no-such-bucket\/dvcstore at http:\/\/127\.0\.0\.1:\d+\): the bucket does not exist/,
    );
    expect(error?.message).not.toMatch(/dvc push/);
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a corrupt object by its md5 and writes nothing', async () => {
    const good = await readFile(join(REMOTE, 'files/md5/92/6e9da0bad793e03c119a4f5809f65c'));
    try {
      await putObject(CSV_KEY, Buffer.concat([good.subarray(0, 1000), Buffer.from('tampered')]));
      const repo = await makeRepo('    access_key_id = S3RVER\n    secret_access_key = S3RVER\n');
      await expect(pull(repo)).rejects.toThrow(/data\/housing\.csv: md5 mismatch/);
      await expect(stat(join(repo, 'data/housing.csv'))).rejects.toThrow(/ENOENT/);
    } finally {
      await putObject(CSV_KEY, good);
    }
  });
});

describe('remote settings', () => {
  it('reads an s3 url as bucket and prefix, and refuses one without a bucket', () => {
    expect(parseS3Url('s3://bucket/a/b/', 'store')).toEqual({ bucket: 'bucket', prefix: 'a/b' });
    expect(parseS3Url('s3://bucket', 'store')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Url('s3:///x', 'store')).toThrow(/url 's3:\/\/\/x' is not s3:\/\//);
  });

  it('refuses an endpoint without its scheme, naming the remote, before any request', async () => {
    expect(() => s3ClientOptions({ endpointurl: '127.0.0.1:9000' })).toThrow(
      /endpointurl '127\.0\.0\.1:9000' is not an http\(s\) url \(e\.g\. http:\/\/127\.0\.0\.1:9000\)/,
    );
    const repo = await makeRepo('    access_key_id = S3RVER\n    secret_access_key = S3RVER\n');
    const local = join(repo, '.dvc/config.local');
    await writeFile(local, (await readFile(local, 'utf8')).replace('http://', ''));
    await expect(pull(repo)).rejects.toThrow(
      /^s3 remote 'store' \(s3:\/\/housing-data\/dvcstore at 127\.0\.0\.1:\d+\): endpointurl '127\.0\.0\.1:\d+' is not an http\(s\) url/,
    );
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses half a key pair', () => {
    expect(() => s3ClientOptions({ access_key_id: 'A' })).toThrow(/set together/);
  });

  it("takes an http remote's credentials from the environment over config.local", () => {
    const env = { DVC_HTTP_USER: 'ci', DVC_HTTP_PASSWORD: 'from-secret' };
    expect(httpSettings({ url: 'https://x', password: 'old' }, env)).toEqual({
      url: 'https://x',
      auth: 'basic',
      user: 'ci',
      password: 'from-secret',
    });
    expect(httpSettings({}, { DVC_HTTP_AUTH_HEADER: 'X-Token', DVC_HTTP_PASSWORD: 't' })).toEqual({
      auth: 'custom',
      custom_auth_header: 'X-Token',
      password: 't',
    });
    expect(httpSettings({ auth: 'basic', user: 'u' }, {})).toEqual({ auth: 'basic', user: 'u' });
  });
});

/** Runs the workflows' remote-config.sh in `repo` with `env` over a clean environment. */
function remoteConfig(repo: string, env: Record<string, string>, args: string[] = []) {
  return spawnSync(join(ROOT, '.github/actions/pull-data/remote-config.sh'), args, {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
}

describe("a fork's remote, named by the workflows' pull-data action (remote-config.sh)", () => {
  it('points the built-in pull at DVC_REMOTE_URL over the committed config', async () => {
    const repo = await tempDir('fork-remote-');
    await cp(join(ROOT, 'data.dvc'), join(repo, 'data.dvc'));
    await mkdir(join(repo, '.dvc'));
    // The committed config names a remote no runner has, as this repository's does.
    await cp(join(ROOT, '.dvc/config'), join(repo, '.dvc/config'));
    const done = remoteConfig(repo, {
      DVC_REMOTE_URL: `s3://${BUCKET}/${PREFIX}`,
      DVC_REMOTE_ENDPOINT: endpoint,
    });
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    await pull(repo);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
  });

  it("writes an http remote's credentials for DVC with mode 600, never to its output", async () => {
    const repo = await tempDir('fork-remote-');
    const done = remoteConfig(repo, {
      DVC_REMOTE_URL: 'https://data.example/housing',
      DVC_HTTP_USER: 'ci',
      DVC_HTTP_PASSWORD: 'secret-in-ci-123',
    });
    expect(done.status).toBe(0);
    expect(done.stdout + done.stderr).not.toContain('secret-in-ci-123');
    const file = join(repo, '.dvc/config.local');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(
      '[core]\n    remote = fork\n[\'remote "fork"\']\n    url = https://data.example/housing\n    auth = basic\n    user = ci\n    password = secret-in-ci-123\n',
    );
  });

  it('replaces a config.local already there, readable by all, with one of mode 600', async () => {
    const repo = await tempDir('fork-remote-');
    await mkdir(join(repo, '.dvc'));
    const file = join(repo, '.dvc/config.local');
    await writeFile(file, '[\'remote "old"\']\n    url = /elsewhere\n', { mode: 0o644 });
    await chmod(file, 0o644);
    const env = {
      DVC_REMOTE_URL: 'https://data.example/housing',
      DVC_HTTP_USER: 'ci',
      DVC_HTTP_PASSWORD: 'secret-in-ci-123',
    };
    expect(remoteConfig(repo, env).status).toBe(0);
    const first = await readFile(file, 'utf8');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first).not.toContain('old');
    // A re-run writes the same file again.
    expect(remoteConfig(repo, env).status).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(first);
    expect(await readdir(join(repo, '.dvc'))).toEqual(['config.local']);
  });

  it('prints its usage for --help and -h, writing nothing even with DVC_REMOTE_URL set', async () => {
    const repo = await tempDir('fork-remote-');
    for (const flag of ['--help', '-h']) {
      const done = remoteConfig(repo, { DVC_REMOTE_URL: 's3://b/p' }, [flag]);
      expect({ status: done.status, stderr: done.stderr }).toEqual({ status: 0, stderr: '' });
      expect(done.stdout).toMatch(/^usage: DVC_REMOTE_URL=<url> .*remote-config\.sh\n/);
      expect(done.stdout).toMatch(/DVC_REMOTE_ENDPOINT/);
    }
    const other = remoteConfig(repo, { DVC_REMOTE_URL: 's3://b/p' }, ['s3://b/p']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/takes no arguments \('s3:\/\/b\/p'\).*--help/);
    expect(await readdir(repo)).toEqual([]);
  });

  it.each([
    [{}, /DVC_REMOTE_URL is empty/],
    [{ DVC_REMOTE_URL: 's3://b/p\n[core]\nremote = evil' }, /DVC_REMOTE_URL holds a line break/],
    [
      { DVC_REMOTE_URL: 's3://b/p', DVC_HTTP_PASSWORD: 'a\rb' },
      /DVC_HTTP_PASSWORD holds a line break/,
    ],
    [{ DVC_REMOTE_URL: '../../elsewhere' }, /is not a remote url DVC knows/],
    [
      { DVC_REMOTE_URL: 's3://b/p', DVC_REMOTE_ENDPOINT: 'minio:9000' },
      /DVC_REMOTE_ENDPOINT 'minio:9000' is not an http\(s\) url/,
    ],
  ])('refuses %j with exit 2 and writes nothing', async (env, message) => {
    const repo = await tempDir('fork-remote-');
    const done = remoteConfig(repo, env);
    expect(done.status).toBe(2);
    expect(done.stderr).toMatch(message);
    await expect(stat(join(repo, '.dvc/config.local'))).rejects.toThrow(/ENOENT/);
  });
});
