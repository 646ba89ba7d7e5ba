import { metricsOf } from '@housing/model-card/metrics';
import { ConfigurationError } from '@housing/core/errors';
import type { GitHub } from '../../shared/github.ts';

/** A baseline's metrics and what they came from. */
export interface Baseline {
  name: string;
  metrics: Record<string, number>;
}

/**
 * The latest published model release (newest `created_at` among tags that
 * start with `prefix`) and the metrics in its `assetName` asset, or
 * undefined when there is no model release yet.
 */
export async function latestReleaseBaseline(
  github: GitHub,
  repo: { owner: string; repo: string },
  prefix: string,
  assetName: string,
): Promise<Baseline | undefined> {
  const releases = await github.paginate(github.rest.repos.listReleases, {
    ...repo,
    per_page: 100,
  });
  const latest = releases
    .filter((r) => !r.draft && !r.prerelease && r.tag_name.startsWith(prefix))
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  if (!latest) return undefined;
  const asset = latest.assets.find((a) => a.name === assetName);
  if (!asset)
    throw new ConfigurationError(
      `release ${latest.tag_name} has no asset '${assetName}' (has ${latest.assets.map((a) => a.name).join(', ') || 'none'})`,
      'release-asset',
    );
  // GitHub answers the asset endpoint with a redirect to storage; fetch follows it.
  const { data } = await github.rest.repos.getReleaseAsset({
    ...repo,
    asset_id: asset.id,
    headers: { accept: 'application/octet-stream' },
  });
  // Octokit hands binary answers over as an ArrayBuffer, the JSON ones parsed.
  const text: unknown = data;
  const source = `${latest.tag_name}/${assetName}`;
  let parsed: unknown;
  try {
    parsed =
      text instanceof ArrayBuffer
        ? JSON.parse(Buffer.from(text).toString('utf8'))
        : typeof text === 'string'
          ? JSON.parse(text)
          : text;
  } catch {
    throw new ConfigurationError('is not valid JSON', source);
  }
  return { name: latest.tag_name, metrics: metricsOf(parsed, source) };
}
