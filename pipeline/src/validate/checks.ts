import type { CompiledContract } from '../contract/contract.ts';
import type { DriftThresholds } from '@housing/model-card/drift';
import type { ReferenceProfile } from '@housing/model-card/schema';
import type { CheckResult, ValidationReport } from './report.ts';
import type { RowTally } from './tally.ts';

/**
 * The dataset rules of the data contract, judged on a finished pass: row schema, row
 * count, null rate per column, duplicates and target range. Fills the report's
 * `null_rates` and `target` on the way, as the checks' messages quote them.
 */
export function datasetChecks(
  report: ValidationReport,
  tally: RowTally,
  compiled: CompiledContract,
): CheckResult[] {
  const { columns, contract } = compiled;
  const checks: CheckResult[] = [];
  checks.push(
    report.rows_invalid === 0
      ? {
          name: 'row_schema',
          status: 'pass',
          message: `all ${report.rows} rows match the row schema`,
        }
      : {
          name: 'row_schema',
          status: 'fail',
          message: `${report.rows_invalid} of ${report.rows} rows break the row schema (${report.row_errors_total} errors)`,
        },
  );
  const minRows = contract.dataset.min_rows;
  checks.push({
    name: 'min_rows',
    status: report.rows >= minRows ? 'pass' : 'fail',
    message: `${report.rows} rows (minimum ${minRows})`,
  });
  const nullCounts = tally.nullCounts;
  for (const c of columns.all) {
    const nulls = nullCounts.get(c)!;
    const rate = report.rows === 0 ? 0 : nulls / report.rows;
    report.null_rates[c] = rate;
    const limit = contract.dataset.max_null_rate[c] ?? contract.dataset.max_null_rate.default;
    // A column without nulls is listed only when it fails: the summary stays short.
    if (rate > limit || nulls > 0) {
      checks.push({
        name: 'null_rate',
        column: c,
        status: rate > limit ? 'fail' : 'pass',
        message: `${c}: ${(rate * 100).toFixed(2)}% null (limit ${(limit * 100).toFixed(2)}%)`,
      });
    }
  }
  const maxDupes = contract.dataset.max_duplicate_rows;
  checks.push({
    name: 'duplicates',
    status: report.duplicate_rows_total <= maxDupes ? 'pass' : 'fail',
    message: `${report.duplicate_rows_total} duplicate rows (limit ${maxDupes})`,
  });
  checks.push(targetCheck(report, tally, compiled));
  return checks;
}

/** The target's observed range against the contract's, recorded in `report.target`. */
function targetCheck(
  report: ValidationReport,
  tally: RowTally,
  { columns, contract }: CompiledContract,
): CheckResult {
  const { min: tMin, max: tMax } = contract.dataset.target_range;
  report.target = {
    column: columns.target,
    min: Number.isFinite(tally.targetMin) ? tally.targetMin : null,
    max: Number.isFinite(tally.targetMax) ? tally.targetMax : null,
  };
  return {
    name: 'target_range',
    column: columns.target,
    status: tally.targetOutside === 0 ? 'pass' : 'fail',
    message:
      tally.targetOutside === 0
        ? `${columns.target} spans [${report.target.min}, ${report.target.max}] within [${tMin}, ${tMax}]`
        : `${tally.targetOutside} rows have ${columns.target} outside [${tMin}, ${tMax}] (observed [${report.target.min}, ${report.target.max}])`,
  };
}

/**
 * Drift against the reference profile, one check per column, recorded in `report.drift`;
 * a reference that was named but cannot be used fails as `drift_reference`; without a
 * reference there is nothing to check.
 */
export function driftChecks(
  report: ValidationReport,
  tally: RowTally,
  reference: ReferenceProfile | undefined,
  thresholds: DriftThresholds,
): CheckResult[] {
  if (report.drift_reference.status === 'unusable') {
    return [{ name: 'drift_reference', status: 'fail', message: report.drift_reference.message }];
  }
  if (!reference) return [];
  const results = tally.driftCounters.map((c) => c.result(thresholds));
  report.drift = { reference_rows: reference.rows, columns: results };
  return results.map((d) => ({
    name: 'drift',
    column: d.column,
    status: d.status,
    message: `${d.column}: ${d.metric} ${d.value.toFixed(4)}`,
  }));
}
