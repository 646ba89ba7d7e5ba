import type { ModelCard } from '@housing/model-card/schema';
import { markdownTable } from '@housing/github/markdown';

/** One boosting round of the training curve CSV. */
export interface CurvePoint {
  round: number;
  train: number;
  validation: number;
}

/** Parses `round,train_rmse,validation_rmse` lines; `file` names it in errors. */
export function parseCurve(csv: string, file: string): CurvePoint[] {
  const [header, ...lines] = csv.trim().split('\n');
  if (header?.trim() !== 'round,train_rmse,validation_rmse')
    throw new Error(`${file}: expected the header round,train_rmse,validation_rmse`);
  return lines.map((line, i) => {
    const [round, train, validation] = line.split(',').map(Number);
    if (![round, train, validation].every((n) => Number.isFinite(n)))
      throw new Error(`${file}:${i + 2}: not three numbers`);
    return { round: round!, train: train!, validation: validation! };
  });
}

/** Every n-th point, so a chart stays readable; the last point is always kept. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  return points.filter((_, i) => i % step === 0 || i === points.length - 1);
}

const round = (n: number, digits: number) => Number(n.toFixed(digits));

/** The job summary: the metrics table, then Mermaid charts GitHub renders. */
export function retrainSummary(card: ModelCard, curve: CurvePoint[]): string {
  const m = card.metrics;
  const importance = card.training.feature_importance.slice(0, 10);
  const points = thin(curve, 100);
  const parts = [
    `## Retrained: \`${card.model_version}\``,
    `${card.model_type} on ${card.data.rows} rows (data md5 \`${card.data.md5}\`, git \`${card.git_sha.slice(0, 7)}\`).`,
    markdownTable(
      ['split', 'RMSE', 'MAE', 'R²'],
      [
        ['test', m.rmse.toFixed(0), m.mae.toFixed(0), m.r2.toFixed(4)],
        [
          'validation',
          m.validation.rmse.toFixed(0),
          m.validation.mae.toFixed(0),
          m.validation.r2.toFixed(4),
        ],
      ],
    ),
  ];
  if (importance.length > 0)
    parts.push(
      '### Feature importance (share of split gain)',
      [
        '```mermaid',
        'xychart-beta horizontal',
        `  x-axis [${importance.map((f) => JSON.stringify(f.feature)).join(', ')}]`,
        '  y-axis "gain share" 0 --> 1',
        `  bar [${importance.map((f) => round(f.gain_share, 4)).join(', ')}]`,
        '```',
      ].join('\n'),
    );
  if (points.length > 0)
    parts.push(
      `### Loss by boosting round (RMSE; best round ${card.training.gbdt.best_round})`,
      [
        '```mermaid',
        'xychart-beta',
        `  x-axis "round" [${points.map((p) => p.round).join(', ')}]`,
        '  y-axis "RMSE"',
        `  line [${points.map((p) => round(p.train, 0)).join(', ')}]`,
        `  line [${points.map((p) => round(p.validation, 0)).join(', ')}]`,
        '```',
      ].join('\n'),
      'The lower line is the training loss, the upper one the validation loss.',
    );
  return parts.join('\n\n');
}
