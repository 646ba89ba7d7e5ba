import { ConfigurationError } from '@housing/core/errors';
import type { GitHub } from '@housing/github/client';

/** The marker in a release's notes that names the model version it holds (publish-model writes it). */
export const versionMarker = (version: string) => `<!-- model-version: ${version} -->`;

/** A model release: its tag and the assets it lists. */
export interface ModelRelease {
  tag: string;
  assets: { id: number; name: string; size: number }[];
}

/**
 * The release that holds `modelVersion`: the published (not draft) release
 * whose notes carry its {@link versionMarker}, as publish-model writes it.
 * Found by what it holds, never by being the latest: a rolled-back model's
 * release is older than others. A ConfigurationError at `where` when none does.
 */
export async function findModelRelease(
  github: GitHub,
  repo: { owner: string; repo: string },
  modelVersion: string,
  where: string,
): Promise<ModelRelease> {
  const releases = await github.paginate(github.rest.repos.listReleases, {
    ...repo,
    per_page: 100,
  });
  const marker = versionMarker(modelVersion);
  const release = releases.find((r) => !r.draft && r.body?.includes(marker));
  if (!release)
    throw new ConfigurationError(
      `no published release holds model ${modelVersion} (none has '${marker}' in its notes): publish it with the publish-model action`,
      where,
    );
  return {
    tag: release.tag_name,
    assets: release.assets.map(({ id, name, size }) => ({ id, name, size })),
  };
}

/**
 * The bytes of the asset `name` of `release`. A missing asset, one past
 * `maxBytes` or an answer that is not bytes is a ConfigurationError naming
 * the release and the asset: whoever reads it fails closed.
 */
export async function downloadReleaseAsset(
  github: GitHub,
  repo: { owner: string; repo: string },
  release: ModelRelease,
  name: string,
  maxBytes: number,
): Promise<Buffer> {
  const where = `release ${release.tag} asset ${name}`;
  const asset = release.assets.find((a) => a.name === name);
  if (!asset)
    throw new ConfigurationError(
      `no such asset (the release has ${release.assets.map((a) => a.name).join(', ') || 'none'})`,
      where,
    );
  if (asset.size > maxBytes)
    throw new ConfigurationError(
      `is ${asset.size} bytes, more than it can be (${maxBytes})`,
      where,
    );
  // GitHub answers the asset endpoint with a redirect to storage; fetch follows it.
  const { data } = await github.rest.repos.getReleaseAsset({
    ...repo,
    asset_id: asset.id,
    headers: { accept: 'application/octet-stream' },
  });
  // Octokit hands a binary answer over as an ArrayBuffer.
  const body: unknown = data;
  if (!(body instanceof ArrayBuffer))
    throw new ConfigurationError('was not answered as bytes (application/octet-stream)', where);
  if (body.byteLength > maxBytes)
    throw new ConfigurationError(
      `is ${body.byteLength} bytes, more than it can be (${maxBytes})`,
      where,
    );
  return Buffer.from(body);
}
