import type { ColumnDrift } from '@housing/model-card/drift';
import type { DriftReferenceInfo } from '../drift/reference.ts';

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

/** The worst status of the checks: any fail fails, else any warn warns. */
export function overallStatus(checks: readonly CheckResult[]): Status {
  return checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'pass';
}
