import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ResolvedRemote } from './config.ts';
import { openS3Remote } from './s3-remote.ts';
import { objectKey, type RemoteStorage } from './storage.ts';
import { ConfigurationError, errnoCode } from '@housing/core/errors';

/** Opens the storage behind a resolved remote. */
export async function openRemote(remote: ResolvedRemote): Promise<RemoteStorage> {
  switch (remote.kind) {
    case 'local':
      return openLocalRemote(remote);
    case 'http':
      return openHttpRemote(remote);
    case 's3':
      return openS3Remote(remote);
  }
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
  const headers = authHeaders({ ...remote, settings: httpSettings(remote.settings) });
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
        // A refusal says how to give credentials, as an S3 refusal does.
        const refused =
          response.status === 401 || response.status === 403 ? `: ${HTTP_CREDENTIALS_HINT}` : '';
        throw new ConfigurationError(
          `remote '${remote.name}' answered HTTP ${response.status} ${response.statusText} for ${location}${refused}`,
        );
      }
      return {
        stream: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        location,
      };
    },
  };
}

/** How to give an http remote's credentials, for a remote that refused them. */
const HTTP_CREDENTIALS_HINT =
  'set DVC_HTTP_USER and DVC_HTTP_PASSWORD (or DVC_HTTP_AUTH_HEADER and DVC_HTTP_PASSWORD), or auth, user and password in .dvc/config.local';

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

/**
 * The variables that carry an http remote's credentials, over
 * `.dvc/config.local`: CI hands secrets over as variables, and a file written
 * on a runner is one more place to leak them.
 */
export const HTTP_CREDENTIAL_VARIABLES = {
  user: 'DVC_HTTP_USER',
  password: 'DVC_HTTP_PASSWORD',
  custom_auth_header: 'DVC_HTTP_AUTH_HEADER',
} as const;

/**
 * An http remote's settings with the environment's credentials over them. A
 * user (basic) or a header name (custom) in the environment also sets `auth`.
 */
export function httpSettings(
  settings: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const merged = { ...settings };
  for (const [key, variable] of Object.entries(HTTP_CREDENTIAL_VARIABLES)) {
    const value = env[variable];
    if (value) merged[key] = value;
  }
  if (env[HTTP_CREDENTIAL_VARIABLES.custom_auth_header]) merged.auth = 'custom';
  else if (env[HTTP_CREDENTIAL_VARIABLES.user]) merged.auth = 'basic';
  return merged;
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
    `remote '${remote.name}' has auth = ${auth} without its settings (basic needs user and password, custom needs custom_auth_header and password; keep secrets in .dvc/config.local, or set DVC_HTTP_USER, DVC_HTTP_PASSWORD and DVC_HTTP_AUTH_HEADER)`,
  );
}
