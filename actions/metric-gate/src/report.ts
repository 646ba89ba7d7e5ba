import { gateTableCells, type GateResult } from '@housing/pipeline/gate';
import type { GateReport } from '@housing/pipeline/head-to-head';
import { markdownTable } from '@housing/github/markdown';

/** What the candidate was gated against, as the report's first lines name it. */
export type BaselineLabel =
  | { kind: 'none'; why: string }
  | { kind: 'file'; path: string }
  | { kind: 'production'; tag: string; modelVersion: string };

/** The gate's verdict as Markdown: for the job summary and the PR comment. */
export function gateMarkdown(
  report: GateReport | GateResult,
  candidate: string,
  baseline: BaselineLabel,
): string {
  const duel = 'head_to_head' in report ? report.head_to_head : undefined;
  const lines = [`## Metric gate: ${report.passed ? '✅ passed' : '❌ failed'}`];
  if (baseline.kind === 'none')
    lines.push(`Candidate \`${candidate}\`: ${baseline.why}, so only the absolute limits apply.`);
  else if (baseline.kind === 'file')
    lines.push(
      `Candidate \`${candidate}\` against \`${baseline.path}\` (the metrics each file records).`,
    );
  else if (duel) {
    const { data, candidate: c, baseline: b } = duel;
    const rows =
      data.split === 'test'
        ? `the candidate's test split of \`${data.path}\` (seed ${data.seed})`
        : `all of \`${data.path}\``;
    lines.push(
      `Candidate \`${c.model_version}\` against production \`${b.model_version}\` (release \`${baseline.tag}\`), both scored in this job on ${rows}: ${b.rows} rows for production, ${c.rows} for the candidate, ${b.rows_sha256 === c.rows_sha256 ? 'the same rows' : '**not the same rows**'} (sha256 \`${c.rows_sha256.slice(0, 12)}\`).`,
    );
  }
  const names =
    baseline.kind === 'production' && duel
      ? {
          baseline: `production ${duel.baseline.model_version}`,
          candidate: `candidate ${duel.candidate.model_version}`,
        }
      : undefined;
  const { header, body } = gateTableCells(report, names);
  lines.push(markdownTable(header, body));
  return lines.join('\n\n');
}
