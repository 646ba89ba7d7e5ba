import type { CompiledContract, ContractColumns } from '../contract/contract.ts';
import { describeRowErrors } from '../contract/contract.ts';
import { ConfigurationError, quoteInput } from '@housing/core/errors';
import { parsePlainDecimal } from './decimal.ts';
import { DEFAULT_CSV_LIMITS, mapHeader, readCsv, type CsvLimits } from './csv.ts';

/** A row's cell after coercion: a number, null for an empty cell, or the raw text. */
export type Cell = number | string | null;

/**
 * Turns CSV text into the value the row schema judges. Numeric columns get a
 * finite number, or keep their text (so ajv reports "must be number" with the
 * offending value); an empty cell is null in every column.
 */
export function coerceCell(raw: string, numeric: boolean): Cell {
  const text = raw.trim();
  if (text === '') return null;
  if (!numeric) return text;
  const plain = parsePlainDecimal(text);
  if (!Number.isNaN(plain)) return plain;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

/** Builds a row object in contract column order from a record's fields. */
export function rowFromFields(
  fields: string[],
  columns: ContractColumns,
  indices: number[],
  numericMask: boolean[],
): Record<string, Cell> {
  const row: Record<string, Cell> = {};
  for (let c = 0; c < columns.all.length; c++) {
    const raw = fields[indices[c]!];
    row[columns.all[c]!] = raw === undefined ? null : coerceCell(raw, numericMask[c]!);
  }
  return row;
}

/** A dataset held by column, for training. Nulls in numeric columns are NaN. */
export interface Dataset {
  rows: number;
  numeric: Record<string, Float64Array>;
  categorical: Record<string, string[]>;
  /** 1-based CSV line of each row, for messages. */
  lines: Uint32Array;
}

/**
 * Loads a CSV that must satisfy the contract row by row (the first bad row is
 * an error naming its line; `npm run validate` gives the full report).
 * `limits` bound the length of a record and of the header.
 */
export async function loadDataset(
  path: string,
  compiled: CompiledContract,
  limits: Readonly<CsvLimits> = DEFAULT_CSV_LIMITS,
): Promise<Dataset> {
  const { columns, validateRow } = compiled;
  const numericMask = columns.all.map((c) => columns.numeric.includes(c));
  const numeric: Record<string, number[]> = Object.fromEntries(columns.numeric.map((c) => [c, []]));
  const categorical: Record<string, string[]> = Object.fromEntries(columns.categorical.map((c) => [c.name, []]));
  const lines: number[] = [];
  let indices: number[] | undefined;
  for await (const record of readCsv(path, limits)) {
    if (!indices) {
      indices = mapHeader(record.fields, columns.all, path);
      continue;
    }
    const row = rowFromFields(record.fields, columns, indices, numericMask);
    if (!validateRow(row)) {
      const first = describeRowErrors(validateRow.errors, row)[0];
      throw new ConfigurationError(
        `column '${first?.column}' ${first?.message} (got ${quoteInput(first?.value ?? null)}); run npm run validate for a full report`,
        { file: path, line: record.line },
      );
    }
    for (const c of columns.numeric) numeric[c]!.push(row[c] === null ? NaN : (row[c] as number));
    for (const { name } of columns.categorical) categorical[name]!.push(row[name] as string);
    lines.push(record.line);
  }
  if (!indices) throw new ConfigurationError('the CSV is empty: expected a header and rows', path);
  return {
    rows: lines.length,
    numeric: Object.fromEntries(Object.entries(numeric).map(([k, v]) => [k, Float64Array.from(v)])),
    categorical,
    lines: Uint32Array.from(lines),
  };
}

/** The rows of a dataset at the given indices, as a new dataset. */
export function takeRows(data: Dataset, index: ArrayLike<number>): Dataset {
  const n = index.length;
  const numeric: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(data.numeric)) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = values[index[i]!]!;
    numeric[name] = out;
  }
  const categorical: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(data.categorical)) {
    categorical[name] = Array.from({ length: n }, (_, i) => values[index[i]!]!);
  }
  const lines = new Uint32Array(n);
  for (let i = 0; i < n; i++) lines[i] = data.lines[index[i]!]!;
  return { rows: n, numeric, categorical, lines };
}
