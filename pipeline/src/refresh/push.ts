import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempPathFor } from '@housing/core/atomic';
import { ConfigurationError, errnoCode, errorMessage } from '@housing/core/errors';
import type { Logger } from '@housing/core/logger';
import { readDvcConfig, resolveRemote, type ResolvedRemote } from '../dvc/config.ts';
import { parseS3Url, s3ClientOptions } from '../dvc/s3-remote.ts';
import { objectKey } from '../dvc/storage.ts';

/** Write access to a remote: whether an object is there, and putting one there. */
interface RemoteWriter {
  description: string;
  has(md5: string): Promise<boolean>;
  put(md5: string, file: string): Promise<void>;
  close(): void;
}

/** What a push did. */
export interface PushResult {
  remote: string;
  pushed: number;
  alreadyThere: number;
}

/**
 * Pushes the objects of a data version from `.dvc/cache` to the remote, as
 * `dvc push` does without DVC: every object the remote lacks (checked first,
 * so a rerun sends nothing twice), the `.dir` manifest last, so a remote
 * that has the manifest has every file it lists. Local and S3 remotes are
 * written; an http remote is refused (see below).
 */
export async function pushObjects(options: {
  root: string;
  remote?: string | undefined;
  /** md5s of the files, then the `<md5>.dir` of the manifest. */
  objects: readonly string[];
  logger: Logger;
}): Promise<PushResult> {
  const dvcDir = join(options.root, '.dvc');
  const resolved = resolveRemote(await readDvcConfig(dvcDir), dvcDir, options.remote);
  const writer = await openWriter(resolved);
  const result: PushResult = { remote: resolved.name, pushed: 0, alreadyThere: 0 };
  try {
    for (const md5 of options.objects) {
      if (await writer.has(md5)) {
        result.alreadyThere++;
        continue;
      }
      await writer.put(md5, join(dvcDir, 'cache', ...objectKey(md5)));
      result.pushed++;
    }
  } finally {
    writer.close();
  }
  options.logger.info(
    `pushed ${result.pushed} object(s) to ${writer.description}, ${result.alreadyThere} already there`,
  );
  return result;
}

function openWriter(remote: ResolvedRemote): Promise<RemoteWriter> | RemoteWriter {
  switch (remote.kind) {
    case 'local':
      return localWriter(remote);
    case 's3':
      return s3Writer(remote);
    case 'http':
      // DVC uploads to an http remote with a method its `method` setting picks
      // (POST unless set) and a body whose framing depends on the server it was
      // set up for; nothing here can check that a given server stores what it
      // is sent where the pull reads it, so the built-in push does not guess.
      throw new ConfigurationError(
        `remote '${remote.name}' is an http remote (${remote.url}): the built-in push writes only local and s3 remotes; install DVC (pip install dvc) so that data:refresh runs dvc push`,
      );
  }
}

function localWriter(remote: ResolvedRemote): RemoteWriter {
  const path = (md5: string) => join(remote.location, ...objectKey(md5));
  return {
    description: `local remote '${remote.name}' at ${remote.location}`,
    has: (md5) =>
      stat(path(md5)).then(
        () => true,
        () => false,
      ),
    async put(md5, file) {
      const target = path(md5);
      const temp = tempPathFor(target);
      try {
        await mkdir(dirname(target), { recursive: true });
        // Through a temporary file: a reader never sees half an object under its md5.
        await copyFile(file, temp);
        await rename(temp, target);
      } catch (error) {
        throw new ConfigurationError(
          `cannot write object ${md5} to remote '${remote.name}' at ${target} (${errnoCode(error) ?? errorMessage(error)})`,
        );
      } finally {
        await rm(temp, { force: true });
      }
    },
    close: () => undefined,
  };
}

async function s3Writer(remote: ResolvedRemote): Promise<RemoteWriter> {
  const { bucket, prefix } = parseS3Url(remote.url, remote.name);
  const where = `s3 remote '${remote.name}' (${remote.url}${remote.settings.endpointurl ? ` at ${remote.settings.endpointurl}` : ''})`;
  const { S3Client, HeadObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client(s3ClientOptions(remote.settings));
  const key = (md5: string) => [...(prefix ? [prefix] : []), ...objectKey(md5)].join('/');
  const problem = (error: unknown, md5: string) => {
    const name = (error as { name?: string } | null)?.name ?? '';
    return new ConfigurationError(
      `${where}: cannot push s3://${bucket}/${key(md5)}: ${name ? `${name}: ` : ''}${errorMessage(error)}`,
    );
  };
  return {
    description: where,
    async has(md5) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key(md5) }));
        return true;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        if (status === 404) return false;
        throw problem(error, md5);
      }
    },
    async put(md5, file) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key(md5), Body: await readFile(file) }),
        );
      } catch (error) {
        throw problem(error, md5);
      }
    },
    close: () => client.destroy(),
  };
}
