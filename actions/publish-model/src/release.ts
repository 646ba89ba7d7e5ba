import type { ModelCard } from '@housing/model-card/schema';
import { markdownTable } from '@housing/github/markdown';
import { versionMarker } from '../../shared/model-release.ts';

export { versionMarker };

/** The next tag: one past the highest `<prefix><N>`, from 1. */
export function nextTag(releases: readonly { tag_name: string }[], prefix: string): string {
  const numbers = releases
    .map((r) => (r.tag_name.startsWith(prefix) ? Number(r.tag_name.slice(prefix.length)) : NaN))
    .filter((n) => Number.isInteger(n) && n > 0);
  return `${prefix}${Math.max(0, ...numbers) + 1}`;
}

/** The release notes: what the model is, where it came from, how good it is. */
export function releaseNotes(card: ModelCard): string {
  const m = card.metrics;
  return [
    versionMarker(card.model_version),
    `Model \`${card.model_version}\` (${card.model_type}), trained at git \`${card.git_sha}\` on data \`${card.data.md5}\` (${card.data.rows} rows).`,
    markdownTable(
      ['metric', 'test', 'validation'],
      [
        ['RMSE', m.rmse.toFixed(0), m.validation.rmse.toFixed(0)],
        ['MAE', m.mae.toFixed(0), m.validation.mae.toFixed(0)],
        ['R²', m.r2.toFixed(4), m.validation.r2.toFixed(4)],
      ],
    ),
    'Assets: `model.onnx`, `model.card.json` and `metrics.json`. The metric gate compares candidates with the release of the model `deploy/production.yml` names.',
  ].join('\n\n');
}
