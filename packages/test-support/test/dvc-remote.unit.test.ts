import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDataRemote, dirManifest, housingRemote, writeDvcRemote } from '../src/dvc-remote.ts';
import { HOUSING_CSV, ROOT } from '../src/root.ts';

/**
 * The tests' DVC remote is built from the pulled data/, so it must be what DVC itself
 * pushed: the manifest byte for byte, its md5 the one data.dvc records. These hold the
 * fixture to that, and its refusal of data that data.dvc does not describe.
 */
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function temp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dvc-remote-fixture-'));
  dirs.push(dir);
  return dir;
}
const md5 = (bytes: string | Buffer) => createHash('md5').update(bytes).digest('hex');

/** A checkout of data.dvc and, when given, data/ files. */
async function checkout(files: Record<string, string | Buffer>): Promise<string> {
  const root = await temp();
  await cp(join(ROOT, 'data.dvc'), join(root, 'data.dvc'));
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(join(root, 'data', rel, '..'), { recursive: true });
    await writeFile(join(root, 'data', rel), bytes);
  }
  return root;
}

describe('the tests DVC remote of the pulled data', () => {
  it('writes the manifest DVC pushed for data/, whose md5 data.dvc records', async () => {
    const remote = await temp();
    const built = await buildDataRemote(ROOT, remote);
    // The bytes of files/md5/75/ab717b82da4be74ecd7573c52aeef2.dir in the remote DVC pushed.
    const pushed = '[{"md5": "926e9da0bad793e03c119a4f5809f65c", "relpath": "housing.csv"}]';
    expect(await readFile(built.manifest, 'utf8')).toBe(pushed);
    expect(built.manifest).toBe(join(remote, 'files/md5/75/ab717b82da4be74ecd7573c52aeef2.dir'));
    expect(await readFile(join(ROOT, 'data.dvc'), 'utf8')).toContain(`md5: ${built.dirHash}\n`);
    const csv = await readFile(HOUSING_CSV);
    // Buffer.equals: a deep toEqual of 1.4 MB compares byte by byte, for seconds.
    expect((await readFile(built.objects['housing.csv']!)).equals(csv)).toBe(true);
    expect(built.objects['housing.csv']).toBe(
      join(remote, 'files/md5', md5(csv).slice(0, 2), md5(csv).slice(2)),
    );
  });

  it('is the remote the data globalSetup built for this run', async () => {
    const manifest = join(housingRemote(), 'files/md5/75/ab717b82da4be74ecd7573c52aeef2.dir');
    expect(md5(await readFile(manifest))).toBe('75ab717b82da4be74ecd7573c52aeef2');
  });

  it('serializes manifests as Python json.dumps, sorted by path components', () => {
    expect(dirManifest({ 'b/c': 'x', a: 'y', 'a-b': 'z', é: 'w' })).toBe(
      '[{"md5": "y", "relpath": "a"}, {"md5": "z", "relpath": "a-b"}, ' +
        '{"md5": "x", "relpath": "b/c"}, {"md5": "w", "relpath": "\\u00e9"}]',
    );
  });

  it('counts the size and files of what it pushes', async () => {
    const built = await writeDvcRemote(await temp(), { 'a.csv': 'ab', 'sub/b.csv': 'cde' });
    expect([built.size, built.nfiles]).toEqual([5, 2]);
    expect(md5(await readFile(built.manifest))).toBe(built.dirHash.replace(/\.dir$/, ''));
  });

  it('fails, saying how to pull, when data/ is missing', async () => {
    const root = await checkout({});
    await expect(buildDataRemote(root, await temp())).rejects.toThrow(
      /^no data: data\/ is missing or empty; run `npm run data:pull` \(README\.md, "A fork's data remote"/,
    );
  });

  it('fails, saying how to pull, when data is a file and not a folder', async () => {
    const root = await checkout({});
    await writeFile(join(root, 'data'), 'not a folder');
    await expect(buildDataRemote(root, await temp())).rejects.toThrow(
      /^no data: data is a file, not the folder data\.dvc tracks; remove it and run `npm run data:pull`/,
    );
  });

  it('fails, saying how to pull, when data/ is not what data.dvc records', async () => {
    const csv = await readFile(HOUSING_CSV);
    const edited = await checkout({ 'housing.csv': Buffer.concat([csv, Buffer.from('\n')]) });
    await expect(buildDataRemote(edited, await temp())).rejects.toThrow(
      /^data\/ is not what data\.dvc records \(data\.dvc: 75ab717b82da4be74ecd7573c52aeef2\.dir, 1423529 bytes, 1 files; data\/: [0-9a-f]{32}\.dir, 1423530 bytes, 1 files\); run `npm run data:pull`/,
    );
    const stray = await checkout({ 'housing.csv': csv, 'notes.txt': 'x' });
    await expect(buildDataRemote(stray, await temp())).rejects.toThrow(
      /2 files\); run `npm run data:pull`/,
    );
  });
});
