import type { LabelledRow } from '@housing/prediction-store/export';
import {
  createDriftCounters,
  type ColumnDrift,
  type DriftThresholds,
} from '@housing/model-card/drift';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { describeRowErrors, type CompiledContract } from '../contract/contract.ts';
import type { Cell } from '../data/rows.ts';

/** A labelled prediction the data contract refused, and why. */
export interface RejectedRow {
  id: string;
  /** One reason per bad column, as validation words them (`median_income: must be <= 15`). */
  reasons: string[];
}

/** What the contract made of the exported rows. */
export interface CheckedRows {
  /** Rows in the contract's column order, the target set to the ground truth. */
  accepted: { id: string; row: Record<string, Cell> }[];
  rejected: RejectedRow[];
}

/**
 * Builds one dataset row per labelled prediction (the input's features, and
 * the target column set to `actual`) and judges each against the data
 * contract as the validate stage judges a CSV row: the row schema, then the
 * dataset's target range. A refused row is reported with its reasons and
 * never appended.
 */
export function checkRows(
  labelled: readonly LabelledRow[],
  compiled: CompiledContract,
): CheckedRows {
  const { columns, validateRow, contract } = compiled;
  const { min, max } = contract.dataset.target_range;
  const result: CheckedRows = { accepted: [], rejected: [] };
  for (const item of labelled) {
    const row = { ...item.input, [columns.target]: item.actual } as Record<string, unknown>;
    const reasons: string[] = [];
    if (!validateRow(row))
      for (const e of describeRowErrors(validateRow.errors, row))
        reasons.push(
          `${e.column}: ${e.message}${e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)})`}`,
        );
    if (item.actual < min || item.actual > max)
      reasons.push(
        `${columns.target}: ${item.actual} is outside the contract's target_range [${min}, ${max}]`,
      );
    if (reasons.length > 0) {
      result.rejected.push({ id: item.id, reasons });
      continue;
    }
    const ordered: Record<string, Cell> = {};
    for (const column of columns.all) ordered[column] = (row[column] ?? null) as Cell;
    result.accepted.push({ id: item.id, row: ordered });
  }
  return result;
}

/**
 * Drift of the accepted rows against the production model's reference
 * profile, per column, by the counters validation uses. Reported, never
 * blocking: drift is the reason to retrain, not a reason to refuse data.
 */
export function measureDrift(
  rows: readonly { row: Record<string, Cell> }[],
  reference: ReferenceProfile,
  columns: readonly string[],
  thresholds: DriftThresholds,
): ColumnDrift[] {
  const counters = createDriftCounters(reference, [...columns]);
  for (const { row } of rows) for (const counter of counters) counter.add(row[counter.column]!);
  return counters.map((counter) => counter.result(thresholds));
}
