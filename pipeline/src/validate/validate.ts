import type { CompiledContract } from '../contract/contract.ts';
import { describeRowErrors } from '../contract/contract.ts';
import { mapHeader, readCsv, type CsvLimits } from '../data/csv.ts';
import { rowFromFields } from '../data/rows.ts';
import {
  createDriftCounters,
  type ColumnDrift,
  type DriftThresholds,
} from '@housing/model-card/drift';
import type { ReferenceProfile } from '@housing/model-card/schema';
import type { DriftReferenceInfo } from '../drift/reference.ts';
import { DuplicateIndex } from './duplicates.ts';

export type Status = 'pass' | 'warn' | 'fail';

/** One bad cell of one row. */
export interface RowError {
  line: number;
  column: string;
  message: string;
  value?: unknown;
}

/** One dataset-level check. */
export interface CheckResult {
  name:
    | 'row_schema'
    | 'min_rows'
    | 'null_rate'
    | 'duplicates'
    | 'target_range'
    | 'drift'
    | 'drift_reference';
  status: Status;
  message: string;
  column?: string;
}

/** The JSON report of a validation run; the actions turn it into annotations and a summary. */
export interface ValidationReport {
  file: string;
  status: Status;
  rows: number;
  rows_invalid: number;
  /** The first `maxRowErrors` row errors; `row_errors_total` counts them all. */
  row_errors: RowError[];
  row_errors_total: number;
  duplicate_rows: { line: number; first_line: number }[];
  duplicate_rows_total: number;
  null_rates: Record<string, number>;
  target: { column: string; min: number | null; max: number | null };
  checks: CheckResult[];
  /** Drift per column; null when it was not measured (`drift_reference` says why). */
  drift: { reference_rows: number; columns: ColumnDrift[] } | null;
  /** Which reference drift was measured against, or why it was skipped or could not be. */
  drift_reference: DriftReferenceInfo;
}

/** Options of {@link validateCsv}. */
export interface ValidateOptions {
  contract: CompiledContract;
  /** The production model's profile; without one, drift is not checked. */
  reference?: ReferenceProfile;
  /**
   * Where `reference` came from, or why there is none (resolveDriftReference).
   * An `unusable` one fails the validation with a `drift_reference` check.
   */
  referenceInfo?: DriftReferenceInfo;
  drift: DriftThresholds;
  /** How many row errors (and duplicate rows) to keep in the report. */
  maxRowErrors?: number;
  /** Longest record and header the reader accepts; the reader's defaults otherwise. */
  csvLimits?: CsvLimits;
}

/**
 * Validates a CSV against the data contract in one streaming pass: each row
 * against the JSON Schema, then the dataset rules (row count, null rates,
 * duplicates, target range) and drift against the reference profile. Memory
 * holds counters, a capped list of errors and an 8-16 byte hash per row.
 */
export async function validateCsv(
  file: string,
  options: ValidateOptions,
): Promise<ValidationReport> {
  const { contract: compiled, drift: thresholds } = options;
  const { columns, validateRow, contract } = compiled;
  const maxErrors = options.maxRowErrors ?? 1000;
  const numericMask = columns.all.map((c) => columns.numeric.includes(c));
  const nullCounts = new Map(columns.all.map((c) => [c, 0]));
  const duplicates = new DuplicateIndex();
  const driftCounters = options.reference
    ? createDriftCounters(options.reference, columns.all)
    : [];

  const report: ValidationReport = {
    file,
    status: 'pass',
    rows: 0,
    rows_invalid: 0,
    row_errors: [],
    row_errors_total: 0,
    duplicate_rows: [],
    duplicate_rows_total: 0,
    null_rates: {},
    target: { column: columns.target, min: null, max: null },
    checks: [],
    drift: null,
    drift_reference: options.referenceInfo ?? {
      path: null,
      status: options.reference ? 'used' : 'skipped',
      message: options.reference
        ? 'a reference profile given by the caller'
        : 'no reference profile was given',
    },
  };
  let targetMin = Infinity;
  let targetMax = -Infinity;
  let targetOutside = 0;
  const { min: tMin, max: tMax } = contract.dataset.target_range;

  let indices: number[] | undefined;
  for await (const record of readCsv(file, options.csvLimits)) {
    if (!indices) {
      indices = mapHeader(record.fields, columns.all, file);
      continue;
    }
    report.rows++;
    if (record.fields.length !== indices.length) {
      addRowError(report, maxErrors, {
        line: record.line,
        column: '(row)',
        message: `has ${record.fields.length} fields, expected ${indices.length}`,
      });
      report.rows_invalid++;
      continue;
    }
    const row = rowFromFields(record.fields, columns, indices, numericMask);
    if (!validateRow(row)) {
      report.rows_invalid++;
      for (const e of describeRowErrors(validateRow.errors, row))
        addRowError(report, maxErrors, { line: record.line, ...e });
    }
    let key = '';
    for (const c of columns.all) {
      const v = row[c]!;
      if (v === null) nullCounts.set(c, nullCounts.get(c)! + 1);
      key += `${v}\x1f`;
    }
    const firstLine = duplicates.add(key, record.line);
    if (firstLine > 0) {
      report.duplicate_rows_total++;
      if (report.duplicate_rows.length < maxErrors)
        report.duplicate_rows.push({ line: record.line, first_line: firstLine });
    }
    const target = row[columns.target];
    if (typeof target === 'number') {
      if (target < targetMin) targetMin = target;
      if (target > targetMax) targetMax = target;
      if (target < tMin || target > tMax) targetOutside++;
    }
    for (const counter of driftCounters) counter.add(row[counter.column]!);
  }
  if (!indices) {
    report.checks.push({
      name: 'min_rows',
      status: 'fail',
      message: 'the file is empty: no header, no rows',
    });
    report.status = 'fail';
    return report;
  }

  const checks = report.checks;
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
  for (const c of columns.all) {
    const rate = report.rows === 0 ? 0 : nullCounts.get(c)! / report.rows;
    report.null_rates[c] = rate;
    const limit = contract.dataset.max_null_rate[c] ?? contract.dataset.max_null_rate.default;
    if (rate > limit || nullCounts.get(c)! > 0) {
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
  report.target = {
    column: columns.target,
    min: Number.isFinite(targetMin) ? targetMin : null,
    max: Number.isFinite(targetMax) ? targetMax : null,
  };
  checks.push({
    name: 'target_range',
    column: columns.target,
    status: targetOutside === 0 ? 'pass' : 'fail',
    message:
      targetOutside === 0
        ? `${columns.target} spans [${report.target.min}, ${report.target.max}] within [${tMin}, ${tMax}]`
        : `${targetOutside} rows have ${columns.target} outside [${tMin}, ${tMax}] (observed [${report.target.min}, ${report.target.max}])`,
  });
  if (report.drift_reference.status === 'unusable') {
    checks.push({
      name: 'drift_reference',
      status: 'fail',
      message: report.drift_reference.message,
    });
  } else if (options.reference) {
    const results = driftCounters.map((c) => c.result(thresholds));
    report.drift = { reference_rows: options.reference.rows, columns: results };
    for (const d of results) {
      checks.push({
        name: 'drift',
        column: d.column,
        status: d.status,
        message: `${d.column}: ${d.metric} ${d.value.toFixed(4)}`,
      });
    }
  }
  report.status = checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'pass';
  return report;
}

function addRowError(report: ValidationReport, max: number, error: RowError): void {
  report.row_errors_total++;
  if (report.row_errors.length < max) report.row_errors.push(error);
}
