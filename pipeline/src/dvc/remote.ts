import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ResolvedRemote } from './config.ts';
import { ConfigurationError, errnoCode } from '@housing/core/errors';

/** An object fetched from a remote: its bytes as a stream and where they came from. */
export interface RemoteObject {
  stream: AsyncIterable<Uint8Array>;
  location: string;
}

/** Read access to a DVC remote's content-addressed storage. */
export interface RemoteStorage {
  readonly description: string;
  /** Throws a ConfigurationError naming the place it looked when the object is missing. */
  open(md5: string, forPath: string): Promise<RemoteObject>;
}

/** DVC 3 layout: `files/md5/<first 2 hex>/<other 30 hex>` (a directory's hash keeps `.dir`). */
export function objectKey(md5: string): string[] {
  return ['files', 'md5', md5.slice(0, 2), md5.slice(2)];
}

/** Opens the storage behind a resolved remote. */
export async function openRemote(remote: ResolvedRemote): Promise<RemoteStorage> {
  return remote.kind === 'local'
    ? openLocalRemote(remote)
    : Promise.resolve(openHttpRemote(remote));
}

async function openLocalRemote(remote: ResolvedRemote): Promise<RemoteStorage> {
  const exists = await stat(remote.location).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    throw new ConfigurationError(
      `remote '${remote.name}' is missing: no directory at ${remote.location} (url '${remote.url}' in .dvc/config, relative urls resolve against .dvc/)`,
    );
  }
  return {
    description: `local remote '${remote.name}' at ${remote.location}`,
    async open(md5, forPath) {
      const location = join(remote.location, ...objectKey(md5));
      try {
        await stat(location);
      } catch (error) {
        throw new ConfigurationError(
          `object ${md5} for ${forPath} is missing from remote '${remote.name}': looked at ${location} (${errnoCode(error) ?? 'unreadable'}); was it pushed with dvc push?`,
        );
      }
      return { stream: createReadStream(location), location };
    },
  };
}

function openHttpRemote(remote: ResolvedRemote): RemoteStorage {
  const headers = authHeaders(remote);
  return {
    description: `http remote '${remote.name}' at ${remote.location}`,
    async open(md5, forPath) {
      const location = `${remote.location}/${objectKey(md5).join('/')}`;
      let response: Response;
      try {
        response = await fetchKeepingCredentials(location, headers);
      } catch (error) {
        if (error instanceof ConfigurationError) throw error;
        const cause =
          error instanceof Error && error.cause instanceof Error
            ? error.cause.message
            : String(error);
        throw new ConfigurationError(
          `cannot reach remote '${remote.name}' at ${location}: ${cause}`,
        );
      }
      if (response.status === 404) {
        await response.body?.cancel();
        throw new ConfigurationError(
          `object ${md5} for ${forPath} is missing from remote '${remote.name}': ${location} answered 404; was it pushed with dvc push?`,
        );
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new ConfigurationError(
          `remote '${remote.name}' answered HTTP ${response.status} ${response.statusText} for ${location}`,
        );
      }
      return {
        stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        location,
      };
    },
  };
}

/** Redirects a pull follows before it gives up, as fetch() does by default. */
const MAX_REDIRECTS = 20;

/**
 * fetch(), following redirects by hand: fetch() drops only Authorization on
 * a hop to another origin, so a custom_auth_header secret would go to any
 * host the remote redirects to. The credentials go to the remote's own
 * origin only; the other hops are fetched without them.
 */
async function fetchKeepingCredentials(
  url: string,
  credentials: Record<string, string>,
): Promise<Response> {
  const origin = new URL(url).origin;
  let location = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetch(location, {
      headers: new URL(location).origin === origin ? credentials : {},
      redirect: 'manual',
    });
    const next = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || next === null) return response;
    await response.body?.cancel();
    location = new URL(next, location).href;
    if (!/^https?:$/.test(new URL(location).protocol))
      throw new ConfigurationError(`remote ${url} redirects to ${location}, which is not http(s)`);
  }
  throw new ConfigurationError(`remote ${url} redirects more than ${MAX_REDIRECTS} times`);
}

/** DVC's http remote auth: `auth = basic` (user, password) or `custom` (custom_auth_header, password). */
function authHeaders(remote: ResolvedRemote): Record<string, string> {
  const { auth, user, password, custom_auth_header: header } = remote.settings;
  if (auth === undefined) return {};
  if (auth === 'basic' && user !== undefined) {
    return {
      authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`,
    };
  }
  if (auth === 'custom' && header !== undefined && password !== undefined)
    return { [header]: password };
  throw new ConfigurationError(
    `remote '${remote.name}' has auth = ${auth} without its settings (basic needs user and password, custom needs custom_auth_header and password; keep secrets in .dvc/config.local)`,
  );
}
