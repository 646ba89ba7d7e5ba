/**
 * Validation's rate against the plain parse rate alone (issue 18, goal 4):
 * `node --import tsx pipeline/bench/validation-ratio.ts [rows] [rounds]`.
 * It writes `rows` rows (default 1,000,000) with generate.ts, then, `rounds`
 * times (default 7) in alternation, parses the file with readCsv (a record
 * per await: bench:pipeline's parse rate), parses it with readCsvChunks (a
 * chunk per await: the reader validation uses, a stricter ceiling) and
 * validates it; it prints each round's ratios, their medians and ranges: on
 * a shared machine absolute times drift, a ratio taken within one round does
 * not.
 * VALIDATION_REFERENCE=1 validates with a reference profile (drift counted).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContract } from '../src/contract/contract.ts';
import { readCsv, readCsvChunks } from '../src/data/csv.ts';
import { loadDataset } from '../src/data/rows.ts';
import { profileCategorical, profileNumeric } from '../src/drift/profile.ts';
import { loadParams } from '../src/params/params.ts';
import { validateCsv } from '../src/validate/validate.ts';
import type { ReferenceProfile } from '@housing/model-card/schema';
import { generateRows, writeDatasetCsv } from './generate.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const DATA = process.env.HOUSING_CSV ?? 'data/housing.csv';

const params = await loadParams('params.yaml');
const contract = await loadContract(params.data.contract);
const source = await loadDataset(DATA, contract);
const reference: ReferenceProfile | undefined =
  process.env.VALIDATION_REFERENCE === '1'
    ? {
        rows: source.rows,
        bins: 10,
        columns: {
          ...Object.fromEntries(
            contract.columns.numeric.map((c) => [c, profileNumeric(source.numeric[c]!, 10)]),
          ),
          ...Object.fromEntries(
            contract.columns.categorical.map(({ name, categories }) => [
              name,
              profileCategorical(source.categorical[name]!, categories),
            ]),
          ),
        },
      }
    : undefined;
const dir = await mkdtemp(join(tmpdir(), 'validation-ratio-'));
const file = join(dir, 'big.csv');
await writeDatasetCsv(generateRows(source, contract, ROWS, 1), contract, file);

/** Records in the file, parsed one await per record or one per chunk. */
async function parse(perChunk: boolean): Promise<number> {
  let records = 0;
  if (perChunk) {
    for await (const chunk of readCsvChunks(file))
      for (let record = chunk.next(); record; record = chunk.next())
        records += record.fields.length > 0 ? 1 : 0;
  } else {
    for await (const record of readCsv(file)) records += record.fields.length > 0 ? 1 : 0;
  }
  if (records !== ROWS + 1) throw new Error(`parsed ${records} records, expected ${ROWS + 1}`);
  return records;
}

/** Wall and CPU milliseconds of a run (CPU time drifts less when other processes share the cores). */
const timed = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
};

const ratios = {
  perRecord: [] as number[],
  perChunk: [] as number[],
  perRecordCpu: [] as number[],
  perChunkCpu: [] as number[],
};
try {
  for (let round = 0; round < ROUNDS; round++) {
    const perRecord = await timed(() => parse(false));
    const perChunk = await timed(() => parse(true));
    let status = '';
    const validate = await timed(async () => {
      const report = await validateCsv(file, { contract, drift: params.validate.drift, reference });
      if (report.rows !== ROWS) throw new Error(`validated ${report.rows} rows, expected ${ROWS}`);
      status = `${report.status}, ${report.duplicate_rows_total} duplicates`;
    });
    ratios.perRecord.push(perRecord.wall / validate.wall);
    ratios.perChunk.push(perChunk.wall / validate.wall);
    ratios.perRecordCpu.push(perRecord.cpu / validate.cpu);
    ratios.perChunkCpu.push(perChunk.cpu / validate.cpu);
    const ms = (t: { wall: number; cpu: number }) =>
      `${Math.round(t.wall)} ms (CPU ${Math.round(t.cpu)})`;
    console.log(
      `round ${round + 1}: readCsv ${ms(perRecord)}, readCsvChunks ${ms(perChunk)}, validate ${ms(validate)} (${status})`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const summary = (xs: number[]) => {
  const sorted = xs.slice().sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} (range ${sorted[0]!.toFixed(3)}–${sorted.at(-1)!.toFixed(3)})`;
};
console.log(
  `validation rate ÷ parse rate, ${ROUNDS} rounds of ${ROWS.toLocaleString('en-US')} rows${reference ? ', with drift' : ''}:`,
);
console.log(`  parse = readCsv (bench:pipeline's), wall: ${summary(ratios.perRecord)}`);
console.log(`  parse = readCsv (bench:pipeline's), CPU:  ${summary(ratios.perRecordCpu)}`);
console.log(`  parse = readCsvChunks (stricter), wall:   ${summary(ratios.perChunk)}`);
console.log(`  parse = readCsvChunks (stricter), CPU:    ${summary(ratios.perChunkCpu)}`);
