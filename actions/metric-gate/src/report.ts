import { gateTableCells, type GateResult } from '@housing/pipeline/gate';
import { markdownTable } from '../../shared/markdown.ts';

/** The gate's verdict as Markdown: for the job summary and the PR comment. */
export function gateMarkdown(result: GateResult, candidate: string): string {
  const { header, body } = gateTableCells(result);
  return [
    `## Metric gate: ${result.passed ? '✅ passed' : '❌ failed'}`,
    `Candidate \`${candidate}\` against ${result.baseline ? `\`${result.baseline}\`` : 'no baseline (first model: absolute limits only)'}.`,
    markdownTable(header, body),
  ].join('\n\n');
}
