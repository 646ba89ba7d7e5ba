/**
 * The fork owner's S3 remote for .ci/fork-layout.sh: s3rver (an S3-protocol server) on
 * 127.0.0.1 at a free port, keeping its objects in a folder of its own, and the data
 * pushed to it as `dvc push` would (every object of a DVC 3 remote, under the bucket's
 * prefix). The data is the pulled data/ of the checkout named by --data-from, built into a
 * local remote and checked against its data.dvc first, so what is pushed is what data.dvc
 * records. Prints `remote s3://<bucket>/<prefix> endpoint <url>` once it serves, then serves until SIGTERM or SIGINT
 * (or until its parent, the script, is gone).
 *
 *   node --import tsx .ci/fork-layout/s3-remote.ts --data-from <checkout> --store <folder>
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { endWithNpm } from '@housing/core/npm-parent';
import { buildDataRemote } from '@housing/test-support/dvc-remote';
import { pushDvcRemote, startS3Server } from '@housing/test-support/s3-remote';

/** The bucket and prefix the fork's DVC_REMOTE_URL names: s3://housing-fork/dvcstore. */
const BUCKET = 'housing-fork';
const PREFIX = 'dvcstore';

const { values } = parseArgs({
  options: { 'data-from': { type: 'string' }, store: { type: 'string' } },
  strict: true,
});
const dataFrom = values['data-from'];
const store = values.store;
if (!dataFrom || !store) {
  console.error('usage: s3-remote.ts --data-from <checkout with pulled data/> --store <folder>');
  process.exit(2);
}

const local = join(store, 'pushed');
const objects = join(store, 's3rver');
await mkdir(local);
await mkdir(objects);
await buildDataRemote(dataFrom, local);

const server = await startS3Server(objects, BUCKET);
const endpoint = server.endpoint;
// The push: every object of the local remote, through the S3 API with the account's keys.
await pushDvcRemote(endpoint, BUCKET, PREFIX, local);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The script is to this server what npm is to the CLIs: once it is gone, stop.
endWithNpm({ npm_lifecycle_event: 'fork-layout' });
console.log(`remote s3://${BUCKET}/${PREFIX} endpoint ${endpoint}`);
