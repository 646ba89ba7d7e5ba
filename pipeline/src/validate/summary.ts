import type { ValidationReport } from './report.ts';

const MARK = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** A readable, plain-text summary of a validation report. */
export function formatValidationSummary(report: ValidationReport, maxErrors = 10): string {
  const lines = [
    `Validation of ${report.file}: ${report.status.toUpperCase()} (${report.rows} rows)`,
  ];
  for (const check of report.checks) {
    if (check.name === 'drift') continue;
    lines.push(`  [${MARK[check.status]}] ${check.name.padEnd(15)} ${check.message}`);
  }
  for (const e of report.row_errors.slice(0, maxErrors)) {
    lines.push(
      `    ${report.file}:${e.line}: ${e.column} ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
    );
  }
  if (report.row_errors_total > maxErrors)
    lines.push(`    ... and ${report.row_errors_total - maxErrors} more row errors`);
  for (const d of report.duplicate_rows.slice(0, maxErrors)) {
    lines.push(`    ${report.file}:${d.line}: duplicates line ${d.first_line}`);
  }
  const reference = report.drift_reference;
  if (report.drift) {
    lines.push(
      `  Drift against ${reference.path ?? 'the reference profile'} (${report.drift.reference_rows} rows):`,
    );
    for (const d of report.drift.columns) {
      lines.push(
        `  [${MARK[d.status]}] ${d.column.padEnd(20)} ${d.metric.padEnd(15)} ${d.value.toFixed(4)}`,
      );
    }
  } else if (reference.status === 'unusable') {
    lines.push('  drift: not measured, its reference cannot be used (drift_reference above)');
  } else {
    lines.push(`  drift: skipped, ${reference.message}`);
  }
  return lines.join('\n');
}
