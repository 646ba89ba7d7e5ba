import { createServer, type Server } from 'node:http';
import { createReadStream } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { md5OfFile, pullData } from '../src/dvc/pull.ts';
import { silentLogger } from '../src/util/logger.ts';
import { HOUSING_MD5, REMOTE, ROOT, tempDir } from './helpers.ts';

const CSV_OBJECT = ['files', 'md5', '92', '6e9da0bad793e03c119a4f5809f65c'];

/** A repo with the project's data.dvc and a .dvc/config whose remote url is given. */
async function makeRepo(url: string | undefined): Promise<string> {
  const repo = await tempDir('pull-repo-');
  await cp(join(ROOT, 'data.dvc'), join(repo, 'data.dvc'));
  await mkdir(join(repo, '.dvc'));
  if (url !== undefined)
    await writeFile(
      join(repo, '.dvc/config'),
      `[core]\n    remote = store\n['remote "store"']\n    url = ${url}\n`,
    );
  return repo;
}

/** A writable copy of the shared remote, so tests can corrupt it. */
async function copyRemote(): Promise<string> {
  const dir = await tempDir('pull-remote-');
  await cp(REMOTE, dir, { recursive: true });
  return dir;
}

const pull = (root: string) => pullData({ root, logger: silentLogger });

describe('pullData from a local remote', () => {
  it('fetches data/ by hash and verifies it', async () => {
    const repo = await makeRepo(REMOTE);
    const result = await pull(repo);
    expect(result.fetched).toEqual(['data/housing.csv']);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
    expect(result.bytes).toBe(1423529);
  });

  it('resolves a relative url against .dvc/, as DVC does', async () => {
    const remote = await copyRemote();
    const repo = await makeRepo(join('..', '..', ...remote.split('/').slice(-1)));
    // .dvc/../../<name> is the temp root's sibling: both live in the OS temp dir.
    await pull(repo);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
  });

  it('skips files that are already up to date', async () => {
    const repo = await makeRepo(REMOTE);
    await pull(repo);
    const again = await pull(repo);
    expect(again.fetched).toEqual([]);
    expect(again.upToDate).toEqual(['data/housing.csv']);
  });

  it('refuses an object whose bytes do not match its hash, and writes nothing', async () => {
    const remote = await copyRemote();
    const object = join(remote, ...CSV_OBJECT);
    await rm(object);
    await writeFile(object, 'longitude,latitude\n1,2\n');
    const repo = await makeRepo(remote);
    await expect(pull(repo)).rejects.toThrow(
      /data\/housing\.csv: md5 mismatch, expected 926e9da0.* hashes to [0-9a-f]{32}; nothing was written/,
    );
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
    expect(await readdir(join(repo, '.dvc/tmp')).catch(() => [])).toEqual([]);
  });

  it('leaves the existing file in place when the new one fails to verify', async () => {
    const remote = await copyRemote();
    await writeFile(join(remote, ...CSV_OBJECT), 'tampered');
    const repo = await makeRepo(remote);
    await mkdir(join(repo, 'data'));
    await writeFile(join(repo, 'data/housing.csv'), 'old content');
    await expect(pull(repo)).rejects.toThrow(/md5 mismatch/);
    expect(await readFile(join(repo, 'data/housing.csv'), 'utf8')).toBe('old content');
  });

  it('names the path it looked at when an object is missing', async () => {
    const remote = await copyRemote();
    await rm(join(remote, ...CSV_OBJECT));
    const repo = await makeRepo(remote);
    await expect(pull(repo)).rejects.toThrow(
      `object ${HOUSING_MD5} for data/housing.csv is missing from remote 'store': looked at ${join(remote, ...CSV_OBJECT)}`,
    );
  });

  it('names the directory it looked for when the remote is missing', async () => {
    const repo = await makeRepo('/nonexistent/dvc-remote');
    await expect(pull(repo)).rejects.toThrow(
      "remote 'store' is missing: no directory at /nonexistent/dvc-remote",
    );
  });

  it('rejects a tampered directory manifest', async () => {
    const remote = await copyRemote();
    await writeFile(join(remote, 'files/md5/75/ab717b82da4be74ecd7573c52aeef2.dir'), '[]');
    const repo = await makeRepo(remote);
    await expect(pull(repo)).rejects.toThrow(/directory manifest for data: md5 mismatch/);
  });

  it('says so when .dvc/config is missing', async () => {
    const repo = await makeRepo(undefined);
    await expect(pull(repo)).rejects.toThrow(
      /\.dvc\/config: cannot read the DVC config \(ENOENT\)/,
    );
  });

  it('points at the line of a malformed .dvc/config', async () => {
    const repo = await makeRepo(REMOTE);
    await writeFile(join(repo, '.dvc/config'), '[core]\n    remote = store\nthis is not config\n');
    await expect(pull(repo)).rejects.toThrow(/\.dvc\/config:3: cannot parse 'this is not config'/);
  });

  it('lists the defined remotes when the default one is not defined', async () => {
    const repo = await makeRepo(REMOTE);
    await writeFile(
      join(repo, '.dvc/config'),
      '[core]\n    remote = gone\n[\'remote "store"\']\n    url = /x\n',
    );
    await expect(pull(repo)).rejects.toThrow(
      "remote 'gone' is not defined; defined remotes: store",
    );
  });

  it('sends users of cloud remotes to DVC', async () => {
    const repo = await makeRepo('s3://bucket/path');
    await expect(pull(repo)).rejects.toThrow(/uses s3:\/\/.*pip install 'dvc\[s3\]'/);
  });

  it('points at the line of a malformed data.dvc', async () => {
    const repo = await makeRepo(REMOTE);
    await writeFile(join(repo, 'data.dvc'), 'outs:\n- md5: nothex\n  path: data\n');
    await expect(pull(repo)).rejects.toThrow(/data\.dvc:2: outs\[0\]\.md5 must be 32 hex digits/);
  });

  it('says so when data.dvc is missing', async () => {
    const repo = await makeRepo(REMOTE);
    await rm(join(repo, 'data.dvc'));
    await expect(pull(repo)).rejects.toThrow(/data\.dvc: cannot read the DVC file \(ENOENT\)/);
  });
});

describe('pullData from an http remote (a loopback server serving the DVC layout)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  /** Serves a directory as DVC's http remote does: GET of each object path; counts requests. */
  async function serve(root: string): Promise<{ url: string; requests: string[] }> {
    const requests: string[] = [];
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const stream = createReadStream(path);
      stream.once('error', () => {
        res.writeHead(404).end('not found');
      });
      stream.once('open', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        stream.pipe(res);
      });
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote`, requests };
  }

  it('fetches the manifest, then the file, and verifies both', async () => {
    const root = await tempDir('http-root-');
    await cp(REMOTE, join(root, 'remote'), { recursive: true });
    const { url, requests } = await serve(root);
    const repo = await makeRepo(url);
    await pull(repo);
    expect(await md5OfFile(join(repo, 'data/housing.csv'))).toBe(HOUSING_MD5);
    expect(requests).toEqual([
      '/remote/files/md5/75/ab717b82da4be74ecd7573c52aeef2.dir',
      `/remote/${CSV_OBJECT.join('/')}`,
    ]);
  });

  it('reports the URL that answered 404 for a missing object', async () => {
    const root = await tempDir('http-root-');
    await cp(REMOTE, join(root, 'remote'), { recursive: true });
    await rm(join(root, 'remote', ...CSV_OBJECT));
    const { url } = await serve(root);
    const repo = await makeRepo(url);
    await expect(pull(repo)).rejects.toThrow(`${url}/${CSV_OBJECT.join('/')} answered 404`);
    await expect(stat(join(repo, 'data'))).rejects.toThrow(/ENOENT/);
  });
});
