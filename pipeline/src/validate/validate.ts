import type { CompiledContract } from '../contract/contract.ts';
import { csvFields, mapHeader, readCsvChunks, type CsvLimits } from '../data/csv.ts';
import type { DriftThresholds } from '@housing/model-card/drift';
import type { ReferenceProfile } from '@housing/model-card/schema';
import type { DriftReferenceInfo } from '../drift/reference.ts';
import { datasetChecks, driftChecks } from './checks.ts';
import { overallStatus, type ValidationReport } from './report.ts';
import { RowTally } from './tally.ts';

export type { CheckResult, RowError, Status, ValidationReport } from './report.ts';

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
  const report = emptyReport(file, options);
  const tally = new RowTally(
    options.contract,
    report,
    options.maxRowErrors ?? 1000,
    options.reference,
  );
  if (!(await tallyRows(file, options, tally))) {
    report.checks.push({
      name: 'min_rows',
      status: 'fail',
      message: 'the file is empty: no header, no rows',
    });
    report.status = 'fail';
    return report;
  }
  report.checks.push(
    ...datasetChecks(report, tally, options.contract),
    ...driftChecks(report, tally, options.reference, options.drift),
  );
  report.status = overallStatus(report.checks);
  return report;
}

/** Reads the header, then tallies every record; false when the file has no header at all. */
async function tallyRows(
  file: string,
  options: ValidateOptions,
  tally: RowTally,
): Promise<boolean> {
  let indices: number[] | undefined;
  // A chunk's records synchronously: an await per record cost as much as the parsing.
  // Unsplit lines: the fast path reads numbers from the chunk, not from a string per field.
  for await (const records of readCsvChunks(file, options.csvLimits, true)) {
    for (let record = records.next(); record; record = records.next()) {
      if (indices) tally.addLine(record, indices);
      else indices = mapHeader(csvFields(record), options.contract.columns.all, file);
    }
  }
  return indices !== undefined;
}

/** A passing report with nothing counted yet, and where drift's reference came from. */
export function emptyReport(file: string, options: ValidateOptions): ValidationReport {
  return {
    file,
    status: 'pass',
    rows: 0,
    rows_invalid: 0,
    row_errors: [],
    row_errors_total: 0,
    duplicate_rows: [],
    duplicate_rows_total: 0,
    null_rates: {},
    target: { column: options.contract.columns.target, min: null, max: null },
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
}
