import type { CompiledContract } from '../contract/contract.ts';
import { describeRowErrors } from '../contract/contract.ts';
import { csvFields, type CsvRecord } from '../data/csv.ts';
import { rowFromFields } from '../data/rows.ts';
import { createDriftCounters, type DriftCounter } from '@housing/model-card/drift';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { DuplicateIndex, RowHasher } from './duplicates.ts';
import type { RowError, ValidationReport } from './report.ts';
import { RowCheck } from './row-check.ts';

/**
 * What one pass over the rows accumulates for the dataset checks: row errors and
 * duplicates go straight into the report (capped), the rest is counted here. Memory holds
 * counters, the capped lists and an 8-16 byte hash per row, never the rows.
 */
export class RowTally {
  /** Empty cells per column, in `columns.all` order: an array, as a Map lookup per cell cost more than the check. */
  private readonly nulls: Float64Array;
  readonly driftCounters: DriftCounter[];
  targetMin = Infinity;
  targetMax = -Infinity;
  targetOutside = 0;
  private readonly duplicates = new DuplicateIndex();
  private readonly hasher = new RowHasher();
  private readonly numericMask: boolean[];
  /** The row schema column by column, for rows that plainly pass; undefined: ajv judges every row. */
  private readonly check: RowCheck | undefined;
  /** The drift counter of each column in `columns.all` order, if it has one. */
  private readonly driftByColumn: (DriftCounter | undefined)[];
  private readonly targetIndex: number;
  private indices: number[] | undefined;
  private columnOf = new Int32Array(0);

  /** `fastPath: false` has ajv judge every row (tests compare both paths). */
  constructor(
    private readonly compiled: CompiledContract,
    private readonly report: ValidationReport,
    private readonly maxErrors: number,
    reference: ReferenceProfile | undefined,
    { fastPath = true }: { fastPath?: boolean } = {},
  ) {
    const { columns } = compiled;
    this.numericMask = columns.all.map((c) => columns.numeric.includes(c));
    this.nulls = new Float64Array(columns.all.length);
    this.driftCounters = reference ? createDriftCounters(reference, columns.all) : [];
    this.driftByColumn = columns.all.map((c) => this.driftCounters.find((d) => d.column === c));
    this.targetIndex = columns.all.indexOf(columns.target);
    this.check = fastPath ? RowCheck.compile(compiled) : undefined;
  }

  /** Empty cells per column, by name. */
  get nullCounts(): Map<string, number> {
    return new Map(this.compiled.columns.all.map((c, i) => [c, this.nulls[i]!]));
  }

  /** Counts one data record, its fields in the order `indices` maps to the contract's columns. */
  add(record: CsvRecord, indices: number[]): void {
    this.report.rows++;
    if (record.fields.length !== indices.length) {
      this.addRowError({
        line: record.line,
        column: '(row)',
        message: `has ${record.fields.length} fields, expected ${indices.length}`,
      });
      this.report.rows_invalid++;
      return;
    }
    if (this.check?.accept(record.fields, indices)) this.countAccepted(this.check, record.line);
    else this.judge(record, indices);
  }

  /** Counts one record that may be an unsplit line ({@link CsvRecord}). */
  addLine(record: CsvRecord, indices: number[]): void {
    if (record.text === undefined) return this.add(record, indices);
    const check = this.check;
    if (
      check &&
      check.acceptLine(record.text, record.start!, record.end!, this.columnsOf(indices))
    ) {
      this.report.rows++;
      this.countAccepted(check, record.line);
    } else this.add({ line: record.line, fields: csvFields(record) }, indices);
  }

  /** The contract column of each field position, for the header's `indices`. */
  private columnsOf(indices: number[]): Int32Array {
    if (indices !== this.indices) {
      this.indices = indices;
      this.columnOf = new Int32Array(indices.length);
      indices.forEach((position, c) => (this.columnOf[position] = c));
    }
    return this.columnOf;
  }

  /** A row the fast check accepted: its values are in `check`, by column. */
  private countAccepted(check: RowCheck, line: number): void {
    const { numbers, texts, text } = check;
    const hasher = this.hasher;
    hasher.reset();
    for (let c = 0; c < text.length; c++) {
      const drift = this.driftByColumn[c];
      if (text[c] === 1) {
        hasher.addText(texts[c]!);
        drift?.add(texts[c]!);
        continue;
      }
      const v = numbers[c]!;
      if (Number.isNaN(v)) {
        this.nulls[c]!++;
        hasher.addNull();
        continue;
      }
      hasher.addNumber(v);
      drift?.add(v);
      if (c === this.targetIndex) this.addTarget(v);
    }
    this.addDuplicate(hasher.digest(), line);
  }

  /** The general path: the row object, ajv and its errors. */
  private judge(record: CsvRecord, indices: number[]): void {
    const { columns, validateRow } = this.compiled;
    const row = rowFromFields(record.fields, columns, indices, this.numericMask);
    if (!validateRow(row)) {
      this.report.rows_invalid++;
      for (const e of describeRowErrors(validateRow.errors, row))
        this.addRowError({ line: record.line, ...e });
    }
    this.hasher.reset();
    const all = columns.all;
    for (let c = 0; c < all.length; c++) {
      const v = row[all[c]!]!;
      if (v === null) this.nulls[c]!++;
      this.hasher.add(v);
    }
    this.addDuplicate(this.hasher.digest(), record.line);
    const target = row[columns.target];
    if (typeof target === 'number') this.addTarget(target);
    for (const counter of this.driftCounters) counter.add(row[counter.column]!);
  }

  private addRowError(error: RowError): void {
    this.report.row_errors_total++;
    if (this.report.row_errors.length < this.maxErrors) this.report.row_errors.push(error);
  }

  private addDuplicate(hash: number, line: number): void {
    const firstLine = this.duplicates.add(hash, line);
    if (firstLine === 0) return;
    this.report.duplicate_rows_total++;
    if (this.report.duplicate_rows.length < this.maxErrors)
      this.report.duplicate_rows.push({ line, first_line: firstLine });
  }

  private addTarget(target: number): void {
    const { min, max } = this.compiled.contract.dataset.target_range;
    if (target < this.targetMin) this.targetMin = target;
    if (target > this.targetMax) this.targetMax = target;
    if (target < min || target > max) this.targetOutside++;
  }
}
