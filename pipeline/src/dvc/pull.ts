import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { readDvcConfig, resolveRemote } from './config.ts';
import { readDvcFile } from './dvcfile.ts';
import { openRemote, type RemoteStorage } from './remote.ts';
import { ConfigurationError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';

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
  bytes: number;
}

interface ManifestEntry {
  md5: string;
  relpath: string;
}

/**
 * Pulls the output tracked by a `.dvc` file from its DVC remote, without DVC:
 * the `.dir` manifest first, then every file, each md5-verified. Files are
 * staged under `.dvc/tmp` and only moved into place once every one of them
 * has verified, so a torn or wrong file never lands in the workspace.
 */
export async function pullData(options: PullOptions): Promise<PullResult> {
  const { root, logger } = options;
  const dvcFilePath = join(root, options.dvcFile ?? 'data.dvc');
  const out = await readDvcFile(dvcFilePath);
  const dvcDir = join(root, '.dvc');
  const remoteConfig = resolveRemote(await readDvcConfig(dvcDir), dvcDir, options.remote);
  const storage = await openRemote(remoteConfig);
  logger.info(`pulling ${out.path} (${out.md5}) from ${storage.description}`);

  const target = join(dirname(dvcFilePath), out.path);
  const entries: ManifestEntry[] = out.isDirectory
    ? await fetchManifest(storage, out.md5, out.path)
    : [{ md5: out.md5, relpath: '' }];

  const staging = join(dvcDir, 'tmp', `pull-${process.pid}-${randomBytes(4).toString('hex')}`);
  const result: PullResult = { remote: remoteConfig.name, fetched: [], upToDate: [], bytes: 0 };
  const staged: { from: string; to: string; display: string }[] = [];
  try {
    for (const entry of entries) {
      const destination = entry.relpath === '' ? target : join(target, entry.relpath);
      const display = relative(root, destination) || destination;
      if ((await md5OfFile(destination)) === entry.md5) {
        result.upToDate.push(display);
        continue;
      }
      const stagedPath = join(staging, String(staged.length));
      await mkdir(staging, { recursive: true });
      const object = await storage.open(entry.md5, display);
      const { md5, bytes } = await streamToFile(object.stream, stagedPath);
      if (md5 !== entry.md5) {
        throw new ConfigurationError(
          `${display}: md5 mismatch, expected ${entry.md5} but ${object.location} hashes to ${md5}; nothing was written`,
        );
      }
      result.bytes += bytes;
      staged.push({ from: stagedPath, to: destination, display });
    }
    // Every file verified: only now touch the workspace.
    for (const file of staged) {
      await mkdir(dirname(file.to), { recursive: true });
      await rename(file.from, file.to);
      result.fetched.push(file.display);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  logger.info(
    `pulled ${result.fetched.length} file(s), ${result.upToDate.length} already up to date`,
    {
      bytes: result.bytes,
    },
  );
  return result;
}

async function fetchManifest(
  storage: RemoteStorage,
  md5: string,
  path: string,
): Promise<ManifestEntry[]> {
  const object = await storage.open(md5, `${path}/ (directory manifest)`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of object.stream) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const actual = `${createHash('md5').update(bytes).digest('hex')}.dir`;
  if (actual !== md5) {
    throw new ConfigurationError(
      `directory manifest for ${path}: md5 mismatch, expected ${md5} but ${object.location} hashes to ${actual}; nothing was written`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ConfigurationError(`directory manifest at ${object.location} is not JSON`);
  }
  if (!Array.isArray(parsed))
    throw new ConfigurationError(`directory manifest at ${object.location} is not a JSON list`);
  return parsed.map((item: unknown, index) => {
    const entry = item as Partial<ManifestEntry> | null;
    if (
      typeof entry?.md5 !== 'string' ||
      !/^[0-9a-f]{32}$/.test(entry.md5) ||
      typeof entry.relpath !== 'string'
    ) {
      throw new ConfigurationError(
        `directory manifest at ${object.location}: entry [${index}] needs md5 and relpath`,
      );
    }
    const rel = normalize(entry.relpath);
    if (rel === '' || isAbsolute(rel) || rel.split(sep).includes('..')) {
      throw new ConfigurationError(
        `directory manifest at ${object.location}: entry [${index}] relpath '${entry.relpath}' escapes the directory`,
      );
    }
    return { md5: entry.md5, relpath: rel };
  });
}

/** Streams bytes to a new file while hashing them. */
async function streamToFile(
  source: AsyncIterable<Uint8Array>,
  path: string,
): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(source, tap, createWriteStream(path, { flags: 'wx' }));
  return { md5: hash.digest('hex'), bytes };
}

/** md5 of a file's bytes, or undefined when it does not exist. */
export async function md5OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}
