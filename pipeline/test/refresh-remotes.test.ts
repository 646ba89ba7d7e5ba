import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@housing/core/logger';
import { openDatabase } from '@housing/prediction-store/database';
import { pushDvcRemote, startS3Server, type S3Server } from '@housing/test-support/s3-remote';
import { pullData } from '../src/dvc/pull.ts';
import { refreshData } from '../src/refresh/refresh.ts';
import { REMOTE, tempDir } from './helpers.ts';
import { housingRows, logPredictions, makeCheckout, shifted } from './refresh-fixture.ts';

/**
 * The built-in push of a refreshed version to the remotes a fork names: S3
 * (s3rver, through the AWS SDK), then pulled back from there; an http
 * remote is refused before anything changes.
 */
const BUCKET = 'housing-data';
const PREFIX = 'dvcstore';
let server: S3Server;
let logDir: string;

beforeAll(async () => {
  server = await startS3Server(await mkdtemp(join(tmpdir(), 'refresh-s3-')), BUCKET);
  await pushDvcRemote(server.endpoint, BUCKET, PREFIX, REMOTE);
  logDir = join(await mkdtemp(join(tmpdir(), 'refresh-remotes-log-')), 'log');
  const db = await openDatabase({ dir: logDir });
  await logPredictions(
    db,
    (await housingRows(3, 700)).map((r) => ({ input: r.input, actual: shifted(r.target, 3) })),
  );
  await db.close();
});
afterAll(async () => {
  await server?.close();
  await rm(join(logDir, '..'), { recursive: true, force: true });
});

/** .dvc/config naming the bucket, and config.local its endpoint and s3rver's keys, as a fork keeps them. */
async function nameS3Remote(repo: string): Promise<void> {
  await mkdir(join(repo, '.dvc'), { recursive: true });
  await writeFile(
    join(repo, '.dvc/config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = s3://${BUCKET}/${PREFIX}\n`,
  );
  await writeFile(
    join(repo, '.dvc/config.local'),
    `['remote "store"']\n    endpointurl = ${server.endpoint}\n    access_key_id = S3RVER\n    secret_access_key = S3RVER\n`,
  );
}

describe('data:refresh pushes to', () => {
  it('an S3 remote, from which a clone pulls the new version', async () => {
    const { repo } = await makeCheckout();
    await nameS3Remote(repo);
    const result = await refreshData({
      root: repo,
      store: { url: undefined, dir: logDir },
      useDvc: false,
      logger: silentLogger,
    });
    expect(result.kind === 'refreshed' && result.summary.added).toBe(3);
    const clone = await tempDir('refresh-s3-clone-');
    await nameS3Remote(clone);
    await writeFile(join(clone, 'data.dvc'), await readFile(join(repo, 'data.dvc')));
    const pulled = await pullData({ root: clone, logger: silentLogger });
    expect(pulled.fetched.sort()).toEqual(['data/exported-feedback.json', 'data/housing.csv']);
    expect(await readFile(join(clone, 'data/housing.csv'), 'utf8')).toBe(
      await readFile(join(repo, 'data/housing.csv'), 'utf8'),
    );
  });

  it('not an http remote: refused with what to do, data/ and data.dvc untouched', async () => {
    const { repo } = await makeCheckout();
    const before = await readFile(join(repo, 'data.dvc'), 'utf8');
    // The data is already there, so the pull never contacts this remote; the push would.
    await writeFile(
      join(repo, '.dvc/config'),
      `[core]\n    remote = web\n['remote "web"']\n    url = http://127.0.0.1:9/dvc\n`,
    );
    await expect(
      refreshData({
        root: repo,
        store: { url: undefined, dir: logDir },
        useDvc: false,
        logger: silentLogger,
      }),
    ).rejects.toThrow(
      "remote 'web' is an http remote (http://127.0.0.1:9/dvc): the built-in push writes only local and s3 remotes; install DVC (pip install dvc) so that data:refresh runs dvc push",
    );
    expect(await readFile(join(repo, 'data.dvc'), 'utf8')).toBe(before);
    expect(await readdir(join(repo, 'data'))).toEqual(['housing.csv']);
  });
});
