/**
 * One GBDT fit in a process of its own, the Node side of the comparison with
 * scikit-learn (hgb.py takes the same arguments), so that each side's peak
 * RSS is its own:
 *   fit-child.ts matrix X.f32 y.f64 rows features '<GbdtParams JSON>' [threads]
 *     fits on the float32 feature matrix the bench wrote (column-major),
 *     on `threads` threads (default 1);
 *   fit-child.ts csv housing.csv '<GbdtParams JSON>'
 *     loads the CSV, engineers the features and fits: the peak RSS from
 *     reading the CSV to the fitted model.
 * Prints one JSON line: fit seconds (binning included), CPU seconds of the
 * fit, peak RSS in bytes and the number of trees.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadContract } from '../src/contract/contract.ts';
import { loadDataset } from '../src/data/rows.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import { fitGbdt, type GbdtParams } from '../src/models/gbdt/gbdt.ts';

const [mode, ...args] = process.argv.slice(2);
const noValidation = { x: [new Float32Array(0)], y: new Float64Array(0) };

function timedFit(
  x: Float32Array[],
  y: Float64Array,
  params: GbdtParams,
  since = performance.now(),
  threads = 1,
) {
  const cpu = process.cpuUsage();
  const fit = fitGbdt(x, y, noValidation, params, undefined, { threads });
  return {
    seconds: (performance.now() - since) / 1000,
    cpu_seconds: process.cpuUsage(cpu).user / 1e6,
    peak_rss: process.resourceUsage().maxRSS * 1024,
    trees: fit.model.trees.length,
    // The model's bytes, so that fits on different numbers of threads can be compared.
    sha256: createHash('sha256').update(JSON.stringify(fit.model)).digest('hex'),
  };
}

if (mode === 'matrix') {
  const [xPath, yPath, rowsText, featuresText, paramsJson, threads = '1'] = args as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  const rows = Number(rowsText);
  const raw = readFileSync(xPath);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const x = Array.from({ length: Number(featuresText) }, (_, f) =>
    all.subarray(f * rows, (f + 1) * rows),
  );
  const yRaw = readFileSync(yPath);
  const y = new Float64Array(yRaw.buffer.slice(yRaw.byteOffset, yRaw.byteOffset + yRaw.byteLength));
  const params = JSON.parse(paramsJson) as GbdtParams;
  console.log(JSON.stringify(timedFit(x, y, params, performance.now(), Number(threads))));
} else if (mode === 'csv') {
  const [csv, contractPath, paramsJson] = args as [string, string, string];
  const started = performance.now();
  const contract = await loadContract(contractPath);
  const data = await loadDataset(csv, contract);
  const x = transformFeatures(fitFeatureSpec(data, contract.columns), data);
  const y = data.numeric[contract.columns.target]!;
  console.log(JSON.stringify(timedFit(x, y, JSON.parse(paramsJson) as GbdtParams, started)));
} else {
  throw new Error(`fit-child: unknown mode '${mode}'`);
}
