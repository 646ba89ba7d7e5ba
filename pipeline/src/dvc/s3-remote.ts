import type { S3ClientConfig, S3ServiceException } from '@aws-sdk/client-s3';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import type { ResolvedRemote } from './config.ts';
import { objectKey, type RemoteStorage } from './storage.ts';

/** The bucket and key prefix of an `s3://bucket/prefix` url. */
export function parseS3Url(url: string, remoteName: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!match)
    throw new ConfigurationError(
      `remote '${remoteName}' url '${url}' is not s3://<bucket>[/<prefix>]`,
    );
  const prefix = match[2]!.replace(/^\/+|\/+$/g, '');
  return { bucket: match[1]!, prefix };
}

/**
 * The client options DVC's own S3 settings map to. Credentials come, as for
 * DVC and the AWS CLI, from `access_key_id`/`secret_access_key`/`session_token`
 * (keep them in `.dvc/config.local`), else the SDK's default chain: the
 * AWS_* variables, `profile` or AWS_PROFILE in ~/.aws, web identity (GitHub's
 * OIDC through the official credentials action), then instance roles.
 */
export function s3ClientOptions(
  settings: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): S3ClientConfig {
  const options: S3ClientConfig = {
    // DVC's default region; the SDK has none and would refuse to sign.
    region: settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // GETs are idempotent: the SDK's retries (with backoff) are safe here.
    maxAttempts: 3,
  };
  if (settings.endpointurl) {
    // Checked here: the SDK would answer 'Invalid URL' on the first request,
    // or read 'host:port' as a scheme.
    if (!/^https?:\/\/[^\s/]+/i.test(settings.endpointurl))
      throw new ConfigurationError(
        `endpointurl '${settings.endpointurl}' is not an http(s) url (e.g. http://127.0.0.1:9000)`,
      );
    options.endpoint = settings.endpointurl;
    // MinIO, s3rver and most S3-compatible stores serve buckets by path.
    options.forcePathStyle = true;
  }
  if (settings.profile) options.profile = settings.profile;
  if (settings.access_key_id !== undefined || settings.secret_access_key !== undefined) {
    if (!settings.access_key_id || !settings.secret_access_key)
      throw new ConfigurationError(
        'access_key_id and secret_access_key must be set together (in .dvc/config.local, never in the committed .dvc/config)',
      );
    options.credentials = {
      accessKeyId: settings.access_key_id,
      secretAccessKey: settings.secret_access_key,
      ...(settings.session_token ? { sessionToken: settings.session_token } : {}),
    };
  }
  return options;
}

/** S3's answers that mean "these credentials may not read this". */
const REFUSED = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
]);

const HOW_TO_SET =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or access_key_id and secret_access_key in .dvc/config.local';

/**
 * Opens an S3 remote (or an S3-compatible one through `endpointurl`). The SDK
 * is loaded only here, so local and http pulls do not pay for it.
 */
export async function openS3Remote(remote: ResolvedRemote): Promise<RemoteStorage> {
  const { bucket, prefix } = parseS3Url(remote.url, remote.name);
  const where = `s3 remote '${remote.name}' (${remote.url}${remote.settings.endpointurl ? ` at ${remote.settings.endpointurl}` : ''})`;
  let options: S3ClientConfig;
  try {
    options = s3ClientOptions(remote.settings);
  } catch (error) {
    // Which remote's settings, before any request is made.
    if (error instanceof ConfigurationError)
      throw new ConfigurationError(`${where}: ${error.message}`);
    throw error;
  }
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client(options);
  return {
    description: where,
    async open(md5, forPath) {
      const key = [...(prefix ? [prefix] : []), ...objectKey(md5)].join('/');
      const location = `s3://${bucket}/${key}`;
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!answer.Body) throw new ConfigurationError(`${location} answered without a body`);
        return { stream: answer.Body as AsyncIterable<Uint8Array>, location };
      } catch (error) {
        throw s3Problem(error, { where, location, md5, forPath });
      }
    },
  };
}

/** A ConfigurationError that says which of the usual S3 failures this was. */
function s3Problem(
  error: unknown,
  at: { where: string; location: string; md5: string; forPath: string },
): ConfigurationError {
  if (error instanceof ConfigurationError) return error;
  const name = (error as Partial<S3ServiceException> | null)?.name ?? '';
  const status = (error as Partial<S3ServiceException> | null)?.$metadata?.httpStatusCode;
  // Before the 404s: a missing bucket is a 404 too, and no dvc push would fix it.
  if (name === 'NoSuchBucket')
    return new ConfigurationError(`${at.where}: the bucket does not exist (${at.location})`);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404)
    return new ConfigurationError(
      `object ${at.md5} for ${at.forPath} is missing from ${at.where}: ${at.location} answered 404; was it pushed with dvc push?`,
    );
  if (REFUSED.has(name) || status === 403)
    return new ConfigurationError(
      `${at.where} refused the credentials (${name || 'HTTP 403'}) for ${at.location}: ${HOW_TO_SET}`,
    );
  if (name === 'CredentialsProviderError')
    return new ConfigurationError(`${at.where}: no AWS credentials found: ${HOW_TO_SET}`);
  // The SDK's message never holds the secret; it can hold the endpoint's answer.
  return new ConfigurationError(
    `cannot read ${at.location} from ${at.where}: ${name ? `${name}: ` : ''}${errorMessage(error)}`,
  );
}
