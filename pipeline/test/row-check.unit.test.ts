import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compileContract,
  type CompiledContract,
  type DataContract,
} from '../src/contract/contract.ts';
import type { CsvRecord } from '../src/data/csv.ts';
import { rowFromFields } from '../src/data/rows.ts';
import { createRng } from '../src/util/rng.ts';
import { RowCheck } from '../src/validate/row-check.ts';
import { RowTally } from '../src/validate/tally.ts';
import { emptyReport } from '../src/validate/validate.ts';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { ROOT } from './helpers.ts';

const housing = async (): Promise<DataContract> =>
  JSON.parse(
    await readFile(join(ROOT, 'pipeline/contract/housing.contract.json'), 'utf8'),
  ) as DataContract;

const DRIFT = {
  psi_warn: 0.1,
  psi_fail: 0.25,
  category_shift_warn: 0.05,
  category_shift_fail: 0.15,
};

/** Cells that are plain, almost plain, or hostile: each path must see them alike. */
const HOSTILE = [
  '',
  ',',
  'a,b',
  '1,5',
  ' ',
  '\t',
  '\u00a0',
  ' 5',
  '5 ',
  '\u20285',
  '-0',
  '-0.0',
  '0',
  '007',
  '1e5',
  '1E-3',
  '+5',
  '.5',
  '5.',
  '1.2.3',
  '-',
  '--1',
  '0x10',
  'Infinity',
  '-Infinity',
  'NaN',
  'abc',
  '1234567890123456',
  '12345678901234567890',
  '9007199254740993',
  '1.5',
  '2',
  '-3',
  'NEAR BAY',
  ' NEAR BAY',
  'NEAR BAY ',
  'near bay',
  'INLAND',
  ' padded ',
  'padded',
  '"INLAND"',
  'null',
];

const CATEGORIES = ['NEAR BAY', 'INLAND', 'padded', 'a,b'];

/**
 * A random cell: mostly what its column holds (a plain decimal around the
 * bounds, a category), else a hostile one, or one meant for another column.
 */
function randomCell(rng: () => number, numeric: boolean): string {
  const r = rng();
  if (r < 0.1) return HOSTILE[Math.floor(rng() * HOSTILE.length)]!;
  if (numeric ? r < 0.93 : r > 0.97) {
    const v = (rng() * 160 - 80).toFixed(Math.floor(rng() * 4));
    return rng() < 0.1 ? String(Math.round(Number(v))) : v;
  }
  return CATEGORIES[Math.floor(rng() * CATEGORIES.length)]!;
}

/** A random row for a contract's columns. */
const randomRow = (rng: () => number, compiled: CompiledContract) =>
  compiled.columns.all.map((c) => randomCell(rng, compiled.columns.numeric.includes(c)));

/** A random contract of the shapes the fast path models: bounds, integers, nulls, enums. */
function randomContract(rng: () => number): CompiledContract {
  const properties: Record<string, Record<string, unknown>> = {};
  const n = 2 + Math.floor(rng() * 4);
  for (let c = 0; c < n; c++) {
    if (rng() < 0.3) {
      properties[`t${c}`] = {
        type: rng() < 0.3 ? ['string', 'null'] : 'string',
        enum: ['NEAR BAY', 'INLAND', ' padded ', '', 'a,b'].filter(() => rng() < 0.8),
      };
      if ((properties[`t${c}`]!.enum as string[]).length === 0)
        properties[`t${c}`]!.enum = ['INLAND'];
      continue;
    }
    const type = rng() < 0.3 ? 'integer' : 'number';
    const schema: Record<string, unknown> = { type: rng() < 0.3 ? [type, 'null'] : type };
    if (rng() < 0.6) schema.minimum = Math.round(rng() * 100 - 60);
    if (rng() < 0.6) schema.maximum = Math.round(rng() * 100);
    if (rng() < 0.3) schema.exclusiveMinimum = Math.round(rng() * 40 - 40);
    if (rng() < 0.3) schema.exclusiveMaximum = Math.round(rng() * 40 + 20);
    properties[`n${c}`] = schema;
  }
  const names = Object.keys(properties);
  const target = names.find((k) => k.startsWith('n')) ?? names[0]!;
  return compileContract({
    target,
    row: {
      type: 'object',
      additionalProperties: false,
      required: names.filter(() => rng() < 0.7),
      properties,
    },
    dataset: {
      min_rows: 1,
      max_null_rate: { default: 0.05 },
      max_duplicate_rows: 0,
      target_range: { min: -50, max: 50 },
    },
  } as unknown as DataContract);
}

/** A reference profile over the contract's columns, so that drift is counted too. */
function referenceOf(compiled: CompiledContract): ReferenceProfile {
  const columns: ReferenceProfile['columns'] = {};
  for (const name of compiled.columns.numeric)
    columns[name] = {
      kind: 'numeric',
      edges: [-50, -1, 0, 1, 50],
      shares: [0.2, 0.2, 0.1, 0.1, 0.2, 0.2],
      quantiles: { '0.5': 0 },
      mean: 0,
      null_rate: 0,
    };
  for (const { name, categories } of compiled.columns.categorical)
    columns[name] = {
      kind: 'categorical',
      categories,
      shares: categories.map(() => 1 / categories.length),
      null_rate: 0,
    };
  return { rows: 100, bins: 5, columns };
}

/** Everything a pass over `records` leaves behind, with or without the fast path. */
/** A seeded shuffle of 0..n-1. */
function shuffled(rng: () => number, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** A record as the unsplit parser gives it: its line inside a longer chunk. */
const unsplitRecord = (line: number, text: string): CsvRecord => ({
  line,
  fields: [],
  text: `x,"y\n${text}\n1,2`,
  start: 5,
  end: 5 + text.length,
});

/**
 * Everything a pass over `records` leaves behind, with or without the fast
 * path; `indices` maps the contract's columns to field positions.
 */
function tallyOf(
  compiled: CompiledContract,
  records: CsvRecord[],
  fastPath: boolean,
  indices = compiled.columns.all.map((_, i) => i),
) {
  const report = emptyReport('rows.csv', { contract: compiled, drift: DRIFT });
  const tally = new RowTally(compiled, report, 50, referenceOf(compiled), { fastPath });
  for (const record of records) tally.addLine(record, indices);
  return {
    report,
    nulls: [...tally.nullCounts],
    target: [tally.targetMin, tally.targetMax, tally.targetOutside],
    drift: tally.driftCounters.map((d) => [d.column, d.total, [...d.counts]]),
  };
}

describe('RowCheck (the fast path of the row schema)', () => {
  it('accepts only rows ajv accepts, with the very values rowFromFields gives', () => {
    const rng = createRng(22);
    let accepted = 0;
    let declined = 0;
    let ajvOnly = 0;
    for (let k = 0; k < 120; k++) {
      const compiled = randomContract(rng);
      const check = RowCheck.compile(compiled);
      expect(check).toBeDefined();
      const { columns, validateRow } = compiled;
      const numericMask = columns.all.map((c) => columns.numeric.includes(c));
      const indices = columns.all.map((_, i) => i);
      for (let r = 0; r < 400; r++) {
        const fields = randomRow(rng, compiled);
        // The same cells as an unsplit line, columns in another order: the same answer and values.
        const columnOf = shuffled(rng, columns.all.length);
        const text = columnOf.map((c) => fields[c]).join(',');
        const split = text.split(',');
        const positions = columns.all.map((_, c) => columnOf.indexOf(c));
        const viaFields = split.length === columns.all.length && check!.accept(split, positions);
        const values = [...check!.numbers, ...check!.texts];
        const record = unsplitRecord(0, text);
        expect(
          check!.acceptLine(record.text!, record.start!, record.end!, Int32Array.from(columnOf)),
          text,
        ).toBe(viaFields);
        if (viaFields) expect([...check!.numbers, ...check!.texts]).toEqual(values);
        const row = rowFromFields(fields, columns, indices, numericMask);
        const valid = validateRow(row);
        if (!check!.accept(fields, indices)) {
          declined++;
          if (valid) ajvOnly++;
          continue;
        }
        accepted++;
        expect(valid, JSON.stringify({ fields, schema: compiled.contract.row })).toBe(true);
        columns.all.forEach((name, c) => {
          const value = check!.text[c] === 1 ? check!.texts[c] : check!.numbers[c];
          const expected = row[name] === null ? NaN : row[name];
          expect(Object.is(value, expected), `${name}: ${fields[c]}`).toBe(true);
        });
      }
    }
    // Both branches ran, and the fast path takes most rows that are valid.
    expect(accepted).toBeGreaterThan(1000);
    expect(declined).toBeGreaterThan(1000);
    expect(ajvOnly).toBeLessThan(accepted);
  });

  it('takes the housing contract, and plain housing rows', async () => {
    const compiled = compileContract(await housing());
    const check = RowCheck.compile(compiled)!;
    expect(check).toBeDefined();
    const indices = compiled.columns.all.map((_, i) => i);
    expect(
      check.accept(
        [
          '-122.23',
          '37.88',
          '41.0',
          '880.0',
          '129.0',
          '322.0',
          '126.0',
          '8.3252',
          '452600.0',
          'NEAR BAY',
        ],
        indices,
      ),
    ).toBe(true);
    expect(
      check.accept(
        ['-122.23', '37.88', '41', '880', '', '322', '126', '8.3', '452600', 'INLAND'],
        indices,
      ),
    ).toBe(true);
    expect(check.numbers[4]).toBeNaN();
    // A space, an exponent, an unknown category, a null where none is allowed: ajv's to judge.
    for (const [c, cell] of [
      [0, ' -122.23'],
      [3, '8.8e2'],
      [9, 'near bay'],
      [0, ''],
      [1, '99'],
    ] as const) {
      const fields = [
        '-122.23',
        '37.88',
        '41',
        '880',
        '129',
        '322',
        '126',
        '8.3',
        '452600',
        'INLAND',
      ];
      fields[c] = cell;
      expect(check.accept(fields, indices), cell).toBe(false);
    }
  });

  it('leaves every row to ajv when the schema holds a keyword it does not model', async () => {
    for (const patch of [
      (c: DataContract) => Object.assign(c.row.properties.median_income!, { multipleOf: 0.5 }),
      (c: DataContract) => Object.assign(c.row.properties.ocean_proximity!, { const: 'INLAND' }),
      (c: DataContract) => Object.assign(c.row, { minProperties: 3 }),
      (c: DataContract) => Object.assign(c.row, { maxProperties: 20 }),
      (c: DataContract) => Object.assign(c.row, { dependentRequired: { latitude: ['longitude'] } }),
      (c: DataContract) => Object.assign(c.row.properties.latitude!, { not: { maximum: 33 } }),
    ]) {
      const contract = await housing();
      patch(contract);
      expect(RowCheck.compile(compileContract(contract))).toBeUndefined();
    }
  });

  it('gives RowTally the same report, counts and drift with and without it', () => {
    const rng = createRng(5);
    for (let k = 0; k < 60; k++) {
      const compiled = randomContract(rng);
      const records: CsvRecord[] = [];
      for (let r = 0; r < 400; r++) {
        const line = r + 2;
        // Repeat earlier rows now and then, and sometimes get the field count wrong.
        if (r > 0 && rng() < 0.1) {
          records.push({ line, fields: [...records[Math.floor(rng() * r)]!.fields] });
          continue;
        }
        const fields = randomRow(rng, compiled);
        if (rng() < 0.03) fields.push('1');
        records.push({ line, fields });
      }
      const fast = tallyOf(compiled, records, true);
      const general = tallyOf(compiled, records, false);
      expect(fast).toEqual(general);
      expect(general.report.rows).toBe(400);
      // The same rows as unsplit lines, their columns in another order, against the split fields.
      const order = shuffled(rng, compiled.columns.all.length);
      const indices = compiled.columns.all.map((_, c) => order.indexOf(c));
      const lines = records.map((r) => order.map((c) => r.fields[c] ?? '1').join(','));
      const unsplit = lines.map((text, i) => unsplitRecord(i + 2, text));
      const split = lines.map((text, i) => ({ line: i + 2, fields: text.split(',') }));
      expect(tallyOf(compiled, unsplit, true, indices)).toEqual(
        tallyOf(compiled, split, false, indices),
      );
    }
  });
});
