import { CommandError, ConfigurationError, errorMessage } from '@housing/core/errors';
import { execProgram } from '../../shared/exec.ts';

/** A repository as `owner/repo`. */
export interface Repository {
  owner: string;
  repo: string;
}

/**
 * Refuses an image that is not this repository's own: its name must be
 * `<registry>/<owner>/<repo>/...` with GITHUB_REPOSITORY lower-cased (as
 * tag-image names what the workflows push). `image` is already lower-cased
 * and by digest (imageByDigest). A dispatch could otherwise deploy any image
 * from anywhere; this runs before any program does, gh included.
 */
export function refuseForeignImage(
  image: string,
  registry: string,
  repository: Repository,
  where: string,
): void {
  const prefix = `${registry}/${repository.owner}/${repository.repo}/`.toLowerCase();
  if (!image.startsWith(prefix))
    throw new ConfigurationError(
      `${image} is not an image of this repository: only ${prefix}...@sha256:... is deployed`,
      where,
    );
}

/**
 * The oldest gh whose `attestation verify` fails when an image has no
 * attestation: from 2.49.0 (where the command arrived) to 2.66.x it could
 * exit 0 then (CVE-2025-25204, GHSA-fgw4-v983-mgp8), and this check trusts
 * its exit code alone.
 */
export const MIN_GH_VERSION = [2, 67, 0] as const;

/** Refuses a gh older than MIN_GH_VERSION, from the first line of `gh --version`. */
async function refuseOldGh(): Promise<void> {
  const { stdout } = await execProgram('gh', ['--version'], { quietStdout: true });
  const found = /gh version (\d+)\.(\d+)\.(\d+)/.exec(stdout);
  const version = found ? found.slice(1, 4).map(Number) : undefined;
  const first = version?.findIndex((part, i) => part !== MIN_GH_VERSION[i]) ?? -1;
  const tooOld = version === undefined || (first >= 0 && version[first]! < MIN_GH_VERSION[first]!);
  if (tooOld)
    throw new ConfigurationError(
      `gh on this runner is ${version ? version.join('.') : `unknown ('${stdout.split('\n')[0] ?? ''}')`}; ` +
        `deploys need ${MIN_GH_VERSION.join('.')} or later, since older ones can pass an image with no ` +
        'attestation (CVE-2025-25204). Nothing was pulled or started',
    );
}

/**
 * Verifies the image's build provenance with `gh attestation verify
 * oci://<image> --repo <owner>/<repo>`: a SLSA provenance attestation, signed
 * through Sigstore by a GitHub-hosted runner of this repository's workflows,
 * for exactly this digest. gh reads the image's manifest with the docker
 * credentials (run it inside the registry login) and the attestations with
 * `token` (GH_TOKEN, in its environment only: never an argument, never
 * logged). A failed verification is an Error naming the image: the caller
 * has pulled and started nothing yet.
 */
export async function verifyProvenance(
  image: string,
  repository: Repository,
  token: string,
): Promise<void> {
  const repo = `${repository.owner}/${repository.repo}`;
  try {
    await refuseOldGh();
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(
      `gh could not run (${errorMessage(error)}); install the GitHub CLI ${MIN_GH_VERSION.join('.')} or later on this runner. Nothing was pulled or started`,
    );
  }
  try {
    await execProgram(
      'gh',
      ['attestation', 'verify', `oci://${image}`, '--repo', repo, '--deny-self-hosted-runners'],
      { env: { GH_TOKEN: token } },
    );
  } catch (error) {
    const why =
      error instanceof CommandError
        ? `gh attestation verify exited with ${error.exitCode ?? error.signal ?? 'a signal'} (see the log above)`
        : `gh attestation verify could not run (${errorMessage(error)}); install the GitHub CLI on this runner`;
    throw new ConfigurationError(
      `the build provenance of ${image} did not verify as ${repo}'s: ${why}. Nothing was pulled or started`,
    );
  }
}
