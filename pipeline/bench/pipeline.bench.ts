/**
 * `npm run bench:pipeline`: the pipeline's speed, each figure beside its
 * ceiling in the same run, because absolute times drift on a shared machine.
 *   - validation rows/s beside parse-only rows/s (same file, same reader);
 *   - GBDT fit time on the 16,512 training rows of an 80/20 split, and test RMSE;
 *   - onnxruntime rows/s in process beside the in-memory model's.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadContract } from '../src/contract/contract.ts';
import { readCsv } from '../src/data/csv.ts';
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

const DATA = process.env.HOUSING_CSV ?? '../shared/datasets/california-housing/housing.csv';
const VALIDATION_ROWS = 500_000;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const params = await loadParams('params.yaml');
const contract = await loadContract(params.data.contract);

// 1. Validation throughput against parsing alone, on a file of distinct rows.
const dir = await mkdtemp(join(tmpdir(), 'bench-'));
const big = join(dir, 'big.csv');
const lines = (await readFile(DATA, 'utf8')).trimEnd().split('\n');
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
const validateTimes: number[] = [];
for (let run = 0; run < 3; run++) {
  let started = performance.now();
  let n = 0;
  for await (const record of readCsv(big)) n += record.fields.length > 0 ? 1 : 0;
  parseTimes.push(performance.now() - started);
  if (n !== VALIDATION_ROWS + 1)
    throw new Error(`parsed ${n} records, expected ${VALIDATION_ROWS + 1}`);
  started = performance.now();
  await validateCsv(big, { contract, drift: params.validate.drift });
  validateTimes.push(performance.now() - started);
}
await rm(dir, { recursive: true, force: true });
const parseRate = VALIDATION_ROWS / (median(parseTimes) / 1000);
const validateRate = VALIDATION_ROWS / (median(validateTimes) / 1000);

// 2. GBDT fit on an 80/20 split's 16,512 training rows (early stopping holds out its validation share).
const data = await loadDataset(DATA, contract);
const split = splitRows(data.rows, params.seed, 0.2, params.split.validation_size);
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
  ['CSV parse only', `${fmt(parseRate)} rows/s`, '1.00 (ceiling)'],
  [
    'validation (schema, rules, duplicates)',
    `${fmt(validateRate)} rows/s`,
    `${(validateRate / parseRate).toFixed(2)} of parse`,
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
