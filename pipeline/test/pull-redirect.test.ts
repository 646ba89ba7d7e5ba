import { cp, mkdir, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { md5OfFile, pullData } from '../src/dvc/pull.ts';
import { silentLogger } from '@housing/core/logger';
import { HOUSING_MD5, REMOTE, ROOT, tempDir } from './helpers.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))),
  );
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

describe('pull from an http remote that redirects', () => {
  // fetch() follows redirects and drops only Authorization on a cross-origin
  // hop: the custom_auth_header secret went to whatever host the remote (or
  // anyone who can answer for it) redirected to.
  it('sends auth = custom credentials to the remote own origin only, and still pulls', async () => {
    const root = await tempDir('redirect-root-');
    await cp(REMOTE, join(root, 'remote'), { recursive: true });
    const seen: IncomingHttpHeaders[] = [];
    const other = createServer((req, res) => {
      seen.push(req.headers);
      const stream = createReadStream(join(root, new URL(req.url ?? '/', 'http://x').pathname));
      stream.once('error', () => res.writeHead(404).end());
      stream.once('open', () => stream.pipe(res));
    });
    const otherPort = await listen(other);
    const asked: IncomingHttpHeaders[] = [];
    const origin = createServer((req, res) => {
      asked.push(req.headers);
      // "localhost" and "127.0.0.1" are different origins on the same machine.
      res.writeHead(302, { location: `http://localhost:${otherPort}${req.url ?? '/'}` }).end();
    });
    const originPort = await listen(origin);
    const repo = await tempDir('redirect-repo-');
    await cp(join(ROOT, 'data.dvc'), join(repo, 'data.dvc'));
    await mkdir(join(repo, '.dvc'));
    await writeFile(
      join(repo, '.dvc/config'),
      `[core]\n    remote = store\n['remote "store"']\n    url = http://127.0.0.1:${originPort}/remote\n    auth = custom\n    custom_auth_header = X-Remote-Token\n`,
    );
    await writeFile(
      join(repo, '.dvc/config.local'),
      `['remote "store"']\n    password = s3cret-remote-token\n`,
    );
    await pullData({ root: repo, logger: silentLogger });
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
    expect(asked.map((h) => h['x-remote-token'])).toEqual([
      's3cret-remote-token',
      's3cret-remote-token',
    ]);
    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(headers['x-remote-token']).toBeUndefined();
      expect(headers.authorization).toBeUndefined();
    }
  });
});
