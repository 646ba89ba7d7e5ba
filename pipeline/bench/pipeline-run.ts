/**
 * The body of `npm run bench:pipeline` (pipeline.bench.ts checks the arguments
 * first), run at import: the pipeline's speed, each figure beside its
 * ceiling in the same run, because absolute times drift on a shared machine.
 *   - validation rows/s beside parse-only rows/s (same file, same reader, a
 *     record per await and, the stricter ceiling, a chunk of records per await);
 *   - GBDT fit time on the 16,512 training rows of an 80/20 split, and test RMSE;
 *   - onnxruntime rows/s in process beside the in-memory model's;
 *   - the CSV reader on hostile input beside clean input, at N and 4N rows: a
 *     reader linear in its input keeps the same bad/clean ratio at both sizes;
 *   - the GBDT's mean test RMSE over five seeded splits (accuracy.ts);
 *   - the GBDT's fit beside scikit-learn's at 20k, 200k and 2M rows, and
 *     peak RSS from CSV to model (fit-scale.ts). BENCH_FIT_SIZES (row counts,
 *     comma-separated) and BENCH_FIT_ROUNDS (alternated rounds, default 3)
 *     change it.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContract } from '../src/contract/contract.ts';
import { MAX_CSV_LIMIT, readCsv, readCsvChunks, type CsvLimits } from '../src/data/csv.ts';
import { loadDataset, takeRows } from '../src/data/rows.ts';
import { splitRows } from '../src/data/split.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { regressionMetrics } from '../src/models/metrics.ts';
import { predict } from '../src/models/model.ts';
import { exportOnnx } from '../src/onnx/export.ts';
import { createSession, feedsFromDataset, runSession } from '../src/onnx/session.ts';
import { loadParams } from '../src/params/params.ts';
import { validateCsv } from '../src/validate/validate.ts';
import { ConfigurationError } from '@housing/core/errors';
import { testRmseOverSeeds } from './accuracy.ts';
import { benchFitAtScale } from './fit-scale.ts';

// The pulled data (npm run data:pull), from the repository root where the bench runs.
const DATA = process.env.HOUSING_CSV ?? 'data/housing.csv';
const VALIDATION_ROWS = 500_000;
const FIT_SIZES = (process.env.BENCH_FIT_SIZES ?? '20000,200000,2000000').split(',').map(Number);
const FIT_ROUNDS = Number(process.env.BENCH_FIT_ROUNDS ?? 3);
for (const n of [...FIT_SIZES, FIT_ROUNDS])
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigurationError(
      `must be positive whole numbers (got BENCH_FIT_SIZES=${process.env.BENCH_FIT_SIZES ?? ''}, BENCH_FIT_ROUNDS=${process.env.BENCH_FIT_ROUNDS ?? ''})`,
      'BENCH_FIT_SIZES/BENCH_FIT_ROUNDS',
    );
/** N for the reader's linearity check; it also reads 4N. */
const LINEARITY_ROWS = 100_000;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const params = await loadParams('params.yaml');
const contract = await loadContract(params.data.contract);

const lines = (await readFile(DATA, 'utf8')).trimEnd().split('\n');

// 0. The reader's linearity: hostile inputs beside the clean file, at N and 4N rows.
// First, on a small heap: run after the model sections (which keep the data, three
// fits and an ONNX session alive), 4N clean rows took 7-13x the time of N, in a
// process of its own 3.4-3.9x, so the reader was being charged for the rest.
// The limits are raised to the file's size so that a stray quote makes the reader
// carry one open field to the end of the file (the worst case) instead of stopping
// at the default 1 MiB with an error naming line 11.
const unbounded: CsvLimits = { maxRecordChars: MAX_CSV_LIMIT, maxHeaderChars: MAX_CSV_LIMIT };
const housingRows = lines.slice(1);
const variants: { name: string; eol: string; edit: (row: string, line: number) => string }[] = [
  { name: 'clean', eol: '\n', edit: (row) => row },
  {
    name: 'stray quote on line 11',
    eol: '\n',
    edit: (row, line) => (line === 11 ? row.replace(',', ',"') : row),
  },
  { name: 'a quote inside a field, every row', eol: '\n', edit: (row) => row.replace(',', '",') },
  { name: 'CR-only line endings', eol: '\r', edit: (row) => row },
];
const readMs = async (file: string) => {
  const started = performance.now();
  try {
    for await (const record of readCsv(file, unbounded)) void record;
  } catch {
    // The stray quote ends in "unterminated quoted field": the time to get there counts.
  }
  return performance.now() - started;
};
const linearity: { size: number; name: string; ms: number; ratio: number }[] = [];
const linearityDir = await mkdtemp(join(tmpdir(), 'bench-linear-'));
for (const size of [LINEARITY_ROWS, 4 * LINEARITY_ROWS]) {
  const files = variants.map((_, index) => join(linearityDir, `${index}.csv`));
  for (const [index, variant] of variants.entries()) {
    const sink = createWriteStream(files[index]!);
    sink.write(`${lines[0]}${variant.eol}`);
    for (let i = 0; i < size; i++) {
      const row = variant.edit(housingRows[i % housingRows.length]!, i + 2);
      if (!sink.write(`${row}${variant.eol}`))
        await new Promise<void>((done) => sink.once('drain', () => done()));
    }
    await new Promise<void>((done) => sink.end(() => done()));
  }
  // Side by side: each round reads every variant once, clean first, and each
  // ratio is taken within its round, so the machine's drift cancels out.
  const times = variants.map(() => [] as number[]);
  const ratios = variants.map(() => [] as number[]);
  for (let r = 0; r < 7; r++) {
    const round: number[] = [];
    for (const file of files) round.push(await readMs(file));
    round.forEach((ms, index) => {
      times[index]!.push(ms);
      ratios[index]!.push(ms / round[0]!);
    });
  }
  variants.forEach((variant, index) => {
    linearity.push({
      size,
      name: variant.name,
      ms: median(times[index]!),
      ratio: median(ratios[index]!),
    });
  });
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
await rm(linearityDir, { recursive: true, force: true });

// 1. Validation throughput against parsing alone, on a file of distinct rows.
const dir = await mkdtemp(join(tmpdir(), 'bench-'));
const big = join(dir, 'big.csv');
const out = createWriteStream(big);
out.write(`${lines[0]}\n`);
for (let i = 0; i < VALIDATION_ROWS; i++) {
  const f = lines[1 + (i % (lines.length - 1))]!.split(',');
  f[7] = (Number(f[7]) + Math.floor(i / lines.length) * 1e-4).toFixed(4);
  if (!out.write(`${f.join(',')}\n`))
    await new Promise<void>((done) => out.once('drain', () => done()));
}
await new Promise<void>((done) => out.end(() => done()));
const parseTimes: number[] = [];
const chunkParseTimes: number[] = [];
const validateTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  let started = performance.now();
  let n = 0;
  for await (const record of readCsv(big)) n += record.fields.length > 0 ? 1 : 0;
  parseTimes.push(performance.now() - started);
  if (n !== VALIDATION_ROWS + 1)
    throw new Error(`parsed ${n} records, expected ${VALIDATION_ROWS + 1}`);
  // The stricter ceiling: the reader validation itself uses, a chunk of records per await.
  started = performance.now();
  n = 0;
  for await (const records of readCsvChunks(big))
    for (let record = records.next(); record; record = records.next())
      n += record.fields.length > 0 ? 1 : 0;
  chunkParseTimes.push(performance.now() - started);
  if (n !== VALIDATION_ROWS + 1)
    throw new Error(`parsed ${n} records in chunks, expected ${VALIDATION_ROWS + 1}`);
  started = performance.now();
  await validateCsv(big, { contract, drift: params.validate.drift });
  validateTimes.push(performance.now() - started);
}
await rm(dir, { recursive: true, force: true });
const parseRate = VALIDATION_ROWS / (median(parseTimes) / 1000);
const chunkParseRate = VALIDATION_ROWS / (median(chunkParseTimes) / 1000);
const validateRate = VALIDATION_ROWS / (median(validateTimes) / 1000);

// 2. GBDT fit on an 80/20 split's 16,512 training rows (early stopping holds out its validation share).
const data = await loadDataset(DATA, contract);
const split = splitRows(data, params.seed, 0.2, params.split.validation_size);
const train = takeRows(data, split.train);
const validation = takeRows(data, split.validation);
const test = takeRows(data, split.test);
const features = fitFeatureSpec(train, contract.columns);
const x = transformFeatures(features, train);
const xv = transformFeatures(features, validation);
const target = contract.columns.target;
const timedFit = () => {
  const started = performance.now();
  const result = fitGbdt(
    x,
    train.numeric[target]!,
    { x: xv, y: validation.numeric[target]! },
    params.gbdt,
  );
  return { fit: result, ms: performance.now() - started };
};
const fits = [timedFit(), timedFit(), timedFit()];
const fitTimes = fits.map((f) => f.ms);
const fit = fits[0]!.fit;
const model = fit.model;
const trained = { features, model };

// 3. onnxruntime in process against the in-memory model, on the test rows.
const session = await createSession(exportOnnx(trained));
const feeds = feedsFromDataset(session, test);
const onnxPredictions = await runSession(session, feeds);
const testRmse = regressionMetrics(onnxPredictions, test.numeric[target]!).rmse;
const onnxTimes: number[] = [];
const jsTimes: number[] = [];
const xt = transformFeatures(features, test);
for (let run = 0; run < 20; run++) {
  let started = performance.now();
  await runSession(session, feeds);
  onnxTimes.push(performance.now() - started);
  started = performance.now();
  predict(model, xt);
  jsTimes.push(performance.now() - started);
}
const onnxRate = test.rows / (median(onnxTimes) / 1000);
const jsRate = test.rows / (median(jsTimes) / 1000);

const rows = [
  ['CSV parse only, a record per await', `${fmt(parseRate)} rows/s`, '1.00 (ceiling)'],
  [
    'CSV parse only, a chunk per await',
    `${fmt(chunkParseRate)} rows/s`,
    `${(chunkParseRate / parseRate).toFixed(2)} (the stricter ceiling)`,
  ],
  [
    'validation (schema, rules, duplicates)',
    `${fmt(validateRate)} rows/s`,
    `${(validateRate / parseRate).toFixed(2)} of parse, ${(validateRate / chunkParseRate).toFixed(2)} of the chunked parse`,
  ],
  [
    `GBDT fit, ${split.train.length + split.validation.length} rows`,
    `${(median(fitTimes) / 1000).toFixed(2)} s (median of 3)`,
    `${fit.best_round} rounds kept, ${fit.history.length} run`,
  ],
  ['test RMSE (80/20 split)', fmt(testRmse), `${split.test.length} rows`],
  ['in-memory model predict', `${fmt(jsRate)} rows/s`, '1.00'],
  [
    'onnxruntime, in process',
    `${fmt(onnxRate)} rows/s`,
    `${(onnxRate / jsRate).toFixed(2)} of in-memory`,
  ],
];
const width = rows.reduce((w, r) => Math.max(w, r[0]!.length), 0);
console.log(
  `bench:pipeline (${VALIDATION_ROWS.toLocaleString('en-US')} rows for validation; node ${process.version})`,
);
for (const [name, value, ratio] of rows)
  console.log(`  ${name!.padEnd(width)}  ${value!.padEnd(26)}  ${ratio}`);
console.log(
  `CSV reader, bad input beside clean (limits raised to the file's size; median of 7 rounds, each reading every input once)`,
);
const nameWidth = variants.reduce((w, v) => Math.max(w, v.name.length), 0);
for (const { size, name, ms, ratio } of linearity) {
  const n = linearity.find((l) => l.name === name && l.size === LINEARITY_ROWS)!;
  const growth = size === LINEARITY_ROWS ? '' : `  ${(ms / n.ms).toFixed(2)}× the time at N`;
  console.log(
    `  ${`${fmt(size)} rows`.padEnd(13)} ${name.padEnd(nameWidth)}  ${`${fmt(ms)} ms`.padEnd(10)}  ${ratio.toFixed(2)} of clean${growth}`,
  );
}

const accuracy = testRmseOverSeeds(data, contract, params);
console.log(
  `GBDT test RMSE over 80/20 splits with seeds 1-5: mean ${fmt(accuracy.mean)} (${accuracy.perSeed.map(fmt).join(', ')})`,
);
for (const line of await benchFitAtScale(
  data,
  contract,
  params.data.contract,
  params.gbdt,
  FIT_SIZES,
  FIT_ROUNDS,
))
  console.log(line);
