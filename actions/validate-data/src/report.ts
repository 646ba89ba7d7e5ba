import type { ValidationReport } from '@housing/pipeline/validate';
import type { Problem } from '../../shared/annotations.ts';
import { markdownTable, STATUS_MARK } from '@housing/github/markdown';

/** Bad rows and duplicate rows as problems at their line of the data file. */
export function reportProblems(report: ValidationReport): Problem[] {
  const duplicatesStatus = report.checks.find((c) => c.name === 'duplicates')?.status;
  return [
    ...report.row_errors.map((e): Problem => ({
      file: report.file,
      line: e.line,
      message: `${e.column}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
      title: 'data contract',
    })),
    ...report.duplicate_rows.map((d): Problem => ({
      file: report.file,
      line: d.line,
      message: `duplicates line ${d.first_line}`,
      title: 'duplicate row',
      severity: duplicatesStatus === 'fail' ? 'error' : 'warning',
    })),
  ];
}

/** How many problems exist in all, including those the report did not keep. */
export function problemTotal(report: ValidationReport): number {
  return report.row_errors_total + report.duplicate_rows_total;
}

/** The job summary: the checks, then the drift table. */
export function validationSummary(report: ValidationReport): string {
  const parts = [
    `## Data validation: ${STATUS_MARK[report.status]}`,
    `\`${report.file}\`: ${report.rows} rows, ${report.rows_invalid} invalid.`,
    markdownTable(
      ['check', 'status', 'result'],
      // Drift has its own table below.
      report.checks
        .filter((c) => c.name !== 'drift')
        .map((c) => [
          c.column ? `${c.name} (${c.column})` : c.name,
          STATUS_MARK[c.status],
          c.message,
        ]),
    ),
  ];
  const reference = report.drift_reference;
  if (report.drift)
    parts.push(
      `### Drift against \`${reference.path ?? 'the reference profile'}\` (${report.drift.reference_rows} rows)`,
      markdownTable(
        ['column', 'metric', 'value', 'status'],
        report.drift.columns.map((d) => [
          d.column,
          d.metric,
          d.value.toFixed(4),
          STATUS_MARK[d.status],
        ]),
      ),
    );
  else if (reference.status === 'unusable')
    parts.push('Drift: not measured, its reference cannot be used (`drift_reference` above).');
  else parts.push(`Drift: skipped, ${reference.message}.`);
  return parts.join('\n\n');
}
