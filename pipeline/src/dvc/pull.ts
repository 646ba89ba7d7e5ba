import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { readDvcConfig, resolveRemote } from './config.ts';
import { readDvcFile, type DvcOut } from './dvcfile.ts';
import { parseManifest, type ManifestEntry } from './manifest.ts';
import { openRemote } from './remote.ts';
import { objectKey, type RemoteStorage } from './storage.ts';
import {
  checkConflicts,
  scanWorkspace,
  workspaceError,
  workspaceMd5,
  type Names,
  type Workspace,
} from './workspace.ts';
import {
  removeStaleTemps,
  replaceDirectory,
  tempPathFor,
  writeFileAtomic,
} from '@housing/core/atomic';
import { ConfigurationError } from '@housing/core/errors';
import type { Logger } from '@housing/core/logger';

export { md5OfFile } from './workspace.ts';

/** Options of {@link pullData}. */
export interface PullOptions {
  /** The repository root: holds the `.dvc` file and `.dvc/`. */
  root: string;
  /** The `.dvc` file, relative to root. */
  dvcFile?: string;
  /** A remote name; defaults to `core.remote`. */
  remote?: string;
  logger: Logger;
}

/** What a pull did. */
export interface PullResult {
  remote: string;
  fetched: string[];
  upToDate: string[];
  /** Files in the tracked directory that its manifest does not list, removed as `dvc checkout` does. */
  removed: string[];
  bytes: number;
}

/**
 * Pulls the output tracked by a `.dvc` file from its DVC remote, without DVC.
 *
 * Like `dvc pull`, it first compares the workspace with the `.dvc` file: when
 * the output's hash (a directory's computed as DVC computes it) already
 * matches, it does nothing and never contacts the remote. Otherwise it reads
 * the `.dir` manifest (from `.dvc/cache` when a verified copy is there, else
 * from the remote, then keeps it there), fetches every file that differs,
 * each md5-verified, into a staged copy of the directory beside it
 * (up-to-date files are hard-linked in), and swaps that copy in whole. The
 * remote is opened only if a file must come from it. So the output is
 * always entirely old or entirely new, and, as after `dvc checkout`, holds
 * exactly the manifest's files: anything else in it is removed.
 */
export async function pullData(options: PullOptions): Promise<PullResult> {
  const { root, logger } = options;
  const dvcFilePath = join(root, options.dvcFile ?? 'data.dvc');
  const out = await readDvcFile(dvcFilePath);
  const dvcDir = join(root, '.dvc');
  const config = await readDvcConfig(dvcDir);
  const target = join(dirname(dvcFilePath), out.path);
  const names: Names = {
    display: relative(root, target) || target,
    dvcFile: relative(root, dvcFilePath) || dvcFilePath,
  };
  const result: PullResult = {
    remote: options.remote ?? config.defaultRemote ?? '',
    fetched: [],
    upToDate: [],
    removed: [],
    bytes: 0,
  };
  const workspace = await scanWorkspace(target, out.isDirectory, names);
  // What interrupted pulls left beside the output (or the folder a symlinked
  // output points at, where the staging goes): partial copies nobody will finish.
  const removed: string[] = [];
  for (const path of new Set([target, workspace.path]))
    removed.push(...(await removeStaleTemps(path)));
  if (removed.length > 0)
    logger.info(
      `removed ${removed.length} staging copies of interrupted pulls: ${removed.join(', ')}`,
    );
  if (workspaceMd5(workspace) === out.md5) {
    logger.info(
      `${names.display} already matches ${names.dvcFile} (${out.md5}): up to date, the remote was not contacted`,
    );
    result.upToDate = trackedPaths(workspace, names.display);
    return result;
  }

  // The remote is opened only when something must come from it.
  let storage: RemoteStorage | undefined;
  const remote = async (): Promise<RemoteStorage> => {
    if (!storage) {
      const remoteConfig = resolveRemote(config, dvcDir, options.remote);
      storage = await openRemote(remoteConfig);
      result.remote = remoteConfig.name;
      logger.info(`pulling ${out.path} (${out.md5}) from ${storage.description}`);
    }
    return storage;
  };
  try {
    if (out.isDirectory) {
      const entries = await readManifest(dvcDir, out.md5, names.display, remote);
      await pullDirectory(remote, entries, workspace, target, names, result, maxObjectBytes(out));
    } else await pullFile(await remote(), out, target, names, result);
  } catch (error) {
    throw workspaceError(error, names.display);
  }
  logger.info(
    `pulled ${result.fetched.length} file(s), ${result.upToDate.length} already up to date${storage ? '' : ' (the remote was not contacted)'}`,
    { bytes: result.bytes },
  );
  if (result.removed.length > 0) {
    const shown = result.removed.slice(0, 10).join(', ');
    const more = result.removed.length > 10 ? ` and ${result.removed.length - 10} more` : '';
    logger.info(
      `removed ${result.removed.length} file(s) that ${names.dvcFile} does not track, as dvc checkout does: ${shown}${more}`,
    );
  }
  return result;
}

function trackedPaths(workspace: Workspace, display: string): string[] {
  if (workspace.kind !== 'dir') return [display];
  return [...workspace.files.keys()].sort().map((rel) => `${display}/${rel}`);
}

/** A single tracked file: staged beside the target, verified, renamed over it. */
async function pullFile(
  storage: RemoteStorage,
  out: DvcOut,
  target: string,
  names: Names,
  result: PullResult,
): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const staged = tempPathFor(target);
  try {
    result.bytes += await fetchVerified(
      storage,
      out.md5,
      staged,
      names.display,
      maxObjectBytes(out),
    );
    await rename(staged, target);
    result.fetched.push(names.display);
  } finally {
    await rm(staged, { force: true });
  }
}

/**
 * A tracked directory: a complete new copy is built beside it (fetched files
 * verified, up-to-date ones hard-linked), then swapped in whole.
 */
async function pullDirectory(
  remote: () => Promise<RemoteStorage>,
  entries: readonly ManifestEntry[],
  workspace: Workspace,
  target: string,
  names: Names,
  result: PullResult,
  maxBytes: number,
): Promise<void> {
  checkConflicts(workspace, entries, names);
  const local = workspace.kind === 'dir' ? workspace.files : new Map<string, string>();
  const into = workspace.kind === 'dir' ? workspace.path : target;
  await mkdir(dirname(into), { recursive: true });
  const staging = tempPathFor(into);
  const fetched: string[] = [];
  try {
    // Made here, not only as a file's parent: a tracked folder may be empty.
    await mkdir(staging);
    for (const entry of entries) {
      const destination = join(staging, entry.relpath);
      const display = `${names.display}/${entry.relpath}`;
      await mkdir(dirname(destination), { recursive: true });
      if (local.get(entry.relpath) === entry.md5) {
        await linkOrCopy(join(into, entry.relpath), destination);
        result.upToDate.push(display);
      } else {
        result.bytes += await fetchVerified(
          await remote(),
          entry.md5,
          destination,
          display,
          maxBytes,
        );
        fetched.push(display);
      }
    }
    // Every file verified: only now touch the workspace, in one rename.
    await replaceDirectory(staging, into);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  result.fetched.push(...fetched);
  const tracked = new Set(entries.map((e) => e.relpath));
  result.removed.push(
    ...[...local.keys()]
      .filter((rel) => !tracked.has(rel))
      .sort()
      .map((rel) => `${names.display}/${rel}`),
  );
}

/** A hard link shares the bytes without copying them; across filesystems, a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(() => copyFile(from, to));
}

/**
 * The most bytes one object may have: the output's total size as the `.dvc`
 * file records it. A remote that sends more (a hostile or broken one, or an
 * object that is a link to /dev/zero) is cut off there instead of filling
 * the disk before the md5 check could fail.
 */
function maxObjectBytes(out: DvcOut): number {
  return out.size ?? Number.POSITIVE_INFINITY;
}

/** At most this many bytes of a `.dir` manifest are read (about half a million files). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Streams one object from the remote to `path` and checks its md5; returns its size. */
async function fetchVerified(
  storage: RemoteStorage,
  md5: string,
  path: string,
  display: string,
  maxBytes: number,
): Promise<number> {
  const object = await storage.open(md5, display);
  const written = await streamToFile(object.stream, path, maxBytes, () =>
    tooLarge(display, object.location, maxBytes, 'the size data.dvc records'),
  );
  if (written.md5 !== md5) {
    throw new ConfigurationError(
      `${display}: md5 mismatch, expected ${md5} but ${object.location} hashes to ${written.md5}; nothing was written`,
    );
  }
  return written.bytes;
}

/**
 * The `.dir` manifest: from `.dvc/cache` when a verified copy is there (as
 * DVC keeps it), else from the remote, verified, then kept in the cache so
 * the next pull can rebuild `data/` offline.
 */
async function readManifest(
  dvcDir: string,
  md5: string,
  display: string,
  remote: () => Promise<RemoteStorage>,
): Promise<ManifestEntry[]> {
  const cached = join(dvcDir, 'cache', ...objectKey(md5));
  const local = await readFile(cached).catch(() => undefined);
  if (local && hashOf(local) === md5) return parseManifest(local, cached);
  const object = await (await remote()).open(md5, `${display}/ (directory manifest)`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of object.stream) {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES)
      throw tooLarge(
        `${display}/ (directory manifest)`,
        object.location,
        MAX_MANIFEST_BYTES,
        'what a manifest can be',
      );
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  const actual = hashOf(bytes);
  if (actual !== md5) {
    throw new ConfigurationError(
      `directory manifest for ${display}: md5 mismatch, expected ${md5} but ${object.location} hashes to ${actual}; nothing was written`,
    );
  }
  const entries = parseManifest(bytes, object.location);
  // Only a cache: a pull that cannot keep it still succeeds.
  await writeFileAtomic(cached, bytes).catch(() => undefined);
  return entries;
}

const hashOf = (bytes: Buffer): string => `${createHash('md5').update(bytes).digest('hex')}.dir`;

function tooLarge(display: string, location: string, max: number, what: string): Error {
  return new ConfigurationError(
    `${display}: ${location} holds more than ${max.toLocaleString('en-US')} bytes, ${what}; nothing was written`,
  );
}

/** Streams bytes to a new file while hashing them; past `maxBytes`, fails with `tooLarge()`. */
async function streamToFile(
  source: AsyncIterable<Uint8Array>,
  path: string,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(tooLarge());
      callback(null, chunk);
    },
  });
  await pipeline(source, tap, createWriteStream(path, { flags: 'wx' }));
  return { md5: hash.digest('hex'), bytes };
}
