import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readDvcConfig, resolveRemote, type DvcConfig } from './config.ts';
import { readDvcFile } from './dvcfile.ts';
import { openRemote } from './remote.ts';
import { ConfigurationError } from '@housing/core/errors';

/** Options of {@link probeRemote}. */
export interface ProbeOptions {
  /** The repository root: holds the `.dvc` file and `.dvc/`. */
  root: string;
  /** The `.dvc` file, relative to root. */
  dvcFile?: string;
  /**
   * A remote url, as a fork gives it in the variable DVC_REMOTE_URL; without
   * it, the remote `.dvc/config` (and `config.local`) names by default.
   */
  url?: string;
  /** An S3-compatible endpoint for an s3:// url (DVC_REMOTE_ENDPOINT). */
  endpoint?: string;
}

/** What answered. */
export interface ProbeResult {
  /** The remote, as the pull names it in its log. */
  description: string;
  /** Where the object was read. */
  location: string;
  /** The object read: the hash the `.dvc` file records. */
  md5: string;
}

/** The one remote a url names, as `.github/actions/pull-data/remote-config.sh` writes it. */
function forkConfig(url: string, endpoint: string | undefined): DvcConfig {
  const settings: Record<string, string> = { url };
  if (endpoint) settings.endpointurl = endpoint;
  return { defaultRemote: 'fork', remotes: new Map([['fork', settings]]) };
}

/**
 * Asks a DVC remote for the object the `.dvc` file records, through the
 * pull's own storage code and with the environment's credentials (AWS_*,
 * DVC_HTTP_*), as the pull would: so it fails, with the pull's message
 * (missing object, refused credentials, unreachable), exactly where a pull
 * would. A tracked directory's `.dir` manifest is read whole and its md5
 * checked (it is small); a single tracked file is only opened, its first
 * bytes read, since it may be the whole data set.
 */
export async function probeRemote(options: ProbeOptions): Promise<ProbeResult> {
  const dvcFile = options.dvcFile ?? 'data.dvc';
  const out = await readDvcFile(join(options.root, dvcFile));
  const dvcDir = join(options.root, '.dvc');
  const config =
    options.url === undefined
      ? await readDvcConfig(dvcDir)
      : forkConfig(options.url, options.endpoint);
  const storage = await openRemote(resolveRemote(config, dvcDir));
  const object = await storage.open(out.md5, out.path);
  const hash = createHash('md5');
  for await (const chunk of object.stream) {
    hash.update(chunk);
    // Leaving the loop closes the stream: one chunk proves a plain file readable.
    if (!out.isDirectory) break;
  }
  const expected = out.md5.replace(/\.dir$/, '');
  if (out.isDirectory && hash.digest('hex') !== expected)
    throw new ConfigurationError(
      `${object.location} is not the manifest ${dvcFile} records (${out.md5}): its md5 differs; push the data again with dvc push`,
    );
  return { description: storage.description, location: object.location, md5: out.md5 };
}
