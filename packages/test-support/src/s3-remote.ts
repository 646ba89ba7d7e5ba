/**
 * A DVC remote over the S3 protocol on loopback, for the tests and CI lanes
 * that need one: s3rver (a real S3-protocol server) with one bucket, and the
 * push of a local DVC remote into it, as `dvc push` leaves it. s3rver knows
 * one account and refuses other access keys, but does not check SigV4
 * signatures: a right key with a wrong secret passes here where AWS refuses it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's one account: the access key id and the secret it accepts. */
export const S3RVER_ACCOUNT = 'S3RVER';

/** A running s3rver: where it answers, and how to stop it. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`, the remote's `endpointurl`. */
  endpoint: string;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 at a free port, storing in `directory`, with `bucket` made. */
export async function startS3Server(directory: string, bucket: string): Promise<S3Server> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** Writes one object with the account's keys, straight through the S3 API. */
export async function putS3Object(
  endpoint: string,
  bucket: string,
  key: string,
  body: Uint8Array | string,
): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_ACCOUNT, secretAccessKey: S3RVER_ACCOUNT },
  });
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

/**
 * Uploads every file of a local DVC remote (`files/md5/...`) under
 * `s3://<bucket>/<prefix>/`, the layout `dvc push` leaves in an S3 remote.
 */
export async function pushDvcRemote(
  endpoint: string,
  bucket: string,
  prefix: string,
  localRemote: string,
): Promise<void> {
  for (const entry of await readdir(localRemote, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const key = `${prefix}/${relative(localRemote, path).split(sep).join('/')}`;
    await putS3Object(endpoint, bucket, key, await readFile(path));
  }
}
