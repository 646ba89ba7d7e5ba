import { metricsOf } from '@housing/model-card/metrics';
import { ConfigurationError } from '@housing/core/errors';
import type { GitHubClient } from '../../shared/github.ts';

interface Release {
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  assets: { id: number; name: string }[];
}

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
  client: GitHubClient,
  repo: { owner: string; repo: string },
  prefix: string,
  assetName: string,
): Promise<Baseline | undefined> {
  const releases = await client.paginate<Release>(`/repos/${repo.owner}/${repo.repo}/releases`);
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
  const res = await client.request(
    'GET',
    `/repos/${repo.owner}/${repo.repo}/releases/assets/${asset.id}`,
    undefined,
    'application/octet-stream',
  );
  const source = `${latest.tag_name}/${assetName}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await res.text());
  } catch {
    throw new ConfigurationError('is not valid JSON', source);
  }
  return { name: latest.tag_name, metrics: metricsOf(parsed, source) };
}
