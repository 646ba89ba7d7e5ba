import * as core from '@actions/core';
import { errorMessage } from '@housing/core/errors';
import { execProgram } from '../../shared/exec.ts';
import type { Inputs } from './inputs.ts';

/**
 * Runs `work` logged in to the image's registry (a private ghcr.io package
 * needs it: `packages: read` and the job's token), then logs out again, so
 * the self-hosted runner keeps no credential in ~/.docker/config.json. The
 * password goes to `docker login --password-stdin`, never into an argument
 * or the log (the inputs masked it). Without credentials, `work` pulls
 * anonymously.
 */
export async function withRegistryLogin<T>(
  registry: Inputs['registry'],
  work: () => Promise<T>,
): Promise<T> {
  if (!registry) return work();
  await execProgram(
    'docker',
    ['login', registry.host, '--username', registry.username, '--password-stdin'],
    { input: Buffer.from(registry.password, 'utf8') },
  );
  try {
    return await work();
  } finally {
    await execProgram('docker', ['logout', registry.host]).catch((error: unknown) =>
      core.warning(`docker logout ${registry.host} failed: ${errorMessage(error)}`),
    );
  }
}
