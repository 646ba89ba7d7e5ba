import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { parseYamlText } from '@housing/core/yaml-file';

/**
 * DVC 3 remotes that tests build for themselves. A local remote is a folder of objects
 * named by their md5 (`files/md5/<first 2 hex>/<other 30>`), and a tracked folder is one
 * more object, `<md5>.dir`: its manifest. Nothing here reads a remote beside the checkout;
 * the data comes from the pulled `data/` (or from the caller), and the manifest is written
 * byte for byte as DVC writes it, so its md5 is the one `data.dvc` records.
 */

/** What {@link writeDvcRemote} wrote. */
export interface DvcRemote {
  /** The folder's hash as `data.dvc` records it: `<md5 of the manifest>.dir`. */
  dirHash: string;
  /** Bytes of every file together, as `data.dvc`'s `size`. */
  size: number;
  /** How many files, as `data.dvc`'s `nfiles`. */
  nfiles: number;
  /** relpath -> the path of its object in the remote. */
  objects: Record<string, string>;
  /** The `.dir` manifest's object. */
  manifest: string;
}

const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex');

/** Where an object lives in a DVC 3 local remote. */
export function objectPath(remote: string, hash: string): string {
  return join(remote, 'files', 'md5', hash.slice(0, 2), hash.slice(2));
}

/** Orders paths as tuples of their components, as DVC sorts a tree's keys. */
function comparePaths(a: string, b: string): number {
  const [x, y] = [a.split('/'), b.split('/')];
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/** A string as Python's `json.dumps` writes it (ensure_ascii: anything outside ' '..'~' escaped). */
function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[^ -~]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The `.dir` manifest DVC 3 writes for a folder: `json.dumps(entries, sort_keys=True)`
 * (`", "` and `": "` separators, no newline), entries sorted by path components.
 *
 * Written apart from the pipeline's `manifestText()` (pipeline/src/dvc/manifest.ts) on
 * purpose, and it must not call it: it is the independent oracle the refresh's writer is
 * checked against (`pipeline/test/refresh-format.unit.test.ts` compares the two, and
 * `pipeline/test/refresh.test.ts` reads the manifest a refresh wrote into its cache and
 * remote against this one). It is itself anchored to DVC's real bytes: {@link buildDataRemote}
 * must reproduce the md5 `data.dvc` records, and its unit test compares the manifest DVC
 * pushed byte for byte. Built on `manifestText()`, those pipeline tests would compare the
 * function with itself and could not fail.
 */
export function dirManifest(entries: Record<string, string>): string {
  const body = Object.keys(entries)
    .sort(comparePaths)
    .map(
      (rel) => `{"md5": ${pythonJsonString(entries[rel]!)}, "relpath": ${pythonJsonString(rel)}}`,
    )
    .join(', ');
  return `[${body}]`;
}

/**
 * Writes `files` (relpath -> content) into the local remote `remote` as `dvc push` of one
 * tracked folder would: each file's object, then the manifest's.
 */
export async function writeDvcRemote(
  remote: string,
  files: Record<string, Uint8Array | string>,
): Promise<DvcRemote> {
  const put = async (hash: string, bytes: Uint8Array | string) => {
    const path = objectPath(remote, hash);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, bytes);
    return path;
  };
  const objects: Record<string, string> = {};
  const hashes: Record<string, string> = {};
  let size = 0;
  for (const [rel, bytes] of Object.entries(files)) {
    hashes[rel] = md5(bytes);
    objects[rel] = await put(hashes[rel], bytes);
    size += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  }
  const text = dirManifest(hashes);
  const dirHash = `${md5(text)}.dir`;
  const manifest = await put(dirHash, text);
  return { dirHash, size, nfiles: Object.keys(files).length, objects, manifest };
}

/** How to get the data, in every message about it missing. */
export const PULL_HINT =
  'run `npm run data:pull` (README.md, "A fork\'s data remote", says how a fork names its remote)';

/** What `data.dvc` records of the folder it tracks. */
async function recorded(
  root: string,
): Promise<{ md5: string; size: number; nfiles: number | undefined }> {
  const file = join(root, 'data.dvc');
  const parsed = parseYamlText(await readFile(file, 'utf8'), 'data.dvc').doc.toJS() as {
    outs?: { md5?: unknown; size?: unknown; nfiles?: unknown; path?: unknown }[];
  };
  const out = parsed.outs?.find((o) => o.path === 'data');
  if (typeof out?.md5 !== 'string' || typeof out.size !== 'number')
    throw new Error(`data.dvc: no out with path data, md5 and size`);
  // `nfiles` is optional in a .dvc file: compared only when recorded.
  return {
    md5: out.md5,
    size: out.size,
    nfiles: typeof out.nfiles === 'number' ? out.nfiles : undefined,
  };
}

/** Every regular file under `dir`, by posix relpath; empty when `dir` does not exist. */
async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      // The message every test run would stop on: say what to do, not ENOTDIR.
      if (error.code === 'ENOTDIR')
        throw new Error(
          `no data: ${basename(dir)} is a file, not the folder data.dvc tracks; remove it and ${PULL_HINT}`,
        );
      throw error;
    },
  );
  const files: Record<string, Buffer> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path).split(sep).join('/')] = await readFile(path);
  }
  return files;
}

/**
 * Builds, in the empty folder `remote`, the local DVC remote that holds `root`'s pulled
 * `data/`, and checks it is the one `root/data.dvc` records (the manifest's md5, the size,
 * the file count): so this fixture, and every test that reads `data/`, fails instead of
 * drifting when the data or the manifest's format is not DVC's. The error is one line that
 * says how to pull the data.
 */
export async function buildDataRemote(root: string, remote: string): Promise<DvcRemote> {
  const want = await recorded(root);
  const files = await readTree(join(root, 'data'));
  if (Object.keys(files).length === 0)
    throw new Error(`no data: data/ is missing or empty; ${PULL_HINT}`);
  const built = await writeDvcRemote(remote, files);
  const nfiles = want.nfiles ?? built.nfiles;
  if (built.dirHash !== want.md5 || built.size !== want.size || built.nfiles !== nfiles)
    throw new Error(
      `data/ is not what data.dvc records (data.dvc: ${want.md5}, ${want.size} bytes, ` +
        `${nfiles} files; data/: ${built.dirHash}, ${built.size} bytes, ${built.nfiles} files); ${PULL_HINT}`,
    );
  return built;
}

/**
 * The variable through which the data globalSetup (./data-setup.ts) hands the run's remote
 * to the test workers (vitest starts them with its environment, after the setup).
 */
export const REMOTE_VARIABLE = 'HOUSING_TEST_DVC_REMOTE';

/**
 * The run's local DVC remote holding the pulled `data/` as `data.dvc` records it, built
 * once per run by the project's `globalSetup` (./data-setup.ts) in a temporary folder.
 * Read-only: a test that corrupts a remote copies it first.
 */
export function housingRemote(): string {
  const dir = process.env[REMOTE_VARIABLE];
  if (!dir || !existsSync(dir))
    throw new Error(
      `no test DVC remote: the vitest project must list packages/test-support/src/data-setup.ts in its globalSetup`,
    );
  return dir;
}
