/**
 * The GBDT's fit beside scikit-learn's HistGradientBoostingRegressor at
 * growing sizes, in the same run (issue 18): both fit the same float32
 * engineered-feature matrix, written to a temporary file, with the same
 * hyperparameters, 100 rounds and no early stopping, single-threaded
 * (OMP_NUM_THREADS=1), each fit in a fresh child process so that peak RSS is
 * its own; then both on every core (the GBDT's histogram threads, scikit-learn's
 * default OpenMP threads), and whether the GBDT's model bytes are the same on
 * one thread and on every core. The two sides alternate, and the order flips every round: this
 * machine's speed drifts, so the figure is the median of per-round ratios.
 * Then, at the largest size, the peak RSS from reading a CSV to the fitted
 * model on both sides (Node: the pipeline's loader and features; Python:
 * pandas and the same features).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CompiledContract } from '../src/contract/contract.ts';
import type { Dataset } from '../src/data/rows.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import type { GbdtParams } from '../src/models/gbdt/gbdt.ts';
import { generateRows, writeDatasetCsv } from './generate.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fit-child.ts', import.meta.url));
const HGB = fileURLToPath(new URL('./hgb.py', import.meta.url));
/** The repository root: where `--import tsx` resolves, whatever the bench's cwd. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Boosting rounds of every fit in the comparison. */
export const SCALE_ROUNDS = 100;

/** What one child reports. */
interface FitResult {
  seconds: number;
  cpu_seconds: number;
  peak_rss: number;
  trees: number;
  /** The GBDT's model bytes' SHA-256 (the Node side only). */
  sha256?: string;
}

/** A Python 3 with scikit-learn and pandas (BENCH_PYTHON, then Debian's, then PATH's), or undefined. */
export function findPython(): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (c): c is string => Boolean(c),
  );
  return candidates.find(
    (python) =>
      spawnSync(python, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' }).status === 0,
  );
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

/** Threads of the both-cores fits: this machine's cores. */
const BOTH = availableParallelism();

async function child(command: string, args: string[], singleThreaded = true): Promise<FitResult> {
  const env = { ...process.env };
  // scikit-learn's default is every core (OpenMP); its single-threaded side is OMP_NUM_THREADS=1.
  if (singleThreaded) env.OMP_NUM_THREADS = '1';
  else delete env.OMP_NUM_THREADS;
  const { stdout } = await run(command, args, {
    env,
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as FitResult;
}

const ours = (args: string[], threads = 1) =>
  child(process.execPath, ['--import', 'tsx', CHILD, ...args, String(threads)], threads === 1);
const theirs = (python: string, args: string[], singleThreaded = true) =>
  child(python, [HGB, ...args], singleThreaded);

/** Writes the engineered features of `data` column-major as float32, and the target as float64. */
async function writeMatrix(data: Dataset, compiled: CompiledContract, dir: string) {
  const x = transformFeatures(fitFeatureSpec(data, compiled.columns), data);
  const matrix = new Float32Array(data.rows * x.length);
  x.forEach((column, f) => matrix.set(column, f * data.rows));
  const xPath = join(dir, `x-${data.rows}.f32`);
  const yPath = join(dir, `y-${data.rows}.f64`);
  await writeFile(xPath, matrix);
  await writeFile(yPath, data.numeric[compiled.columns.target]!);
  return [xPath, yPath, String(data.rows), String(x.length)];
}

/**
 * Runs the comparison and returns the report's lines. `source` is the real
 * dataset the generator resamples, `contractPath` its contract's file (the
 * Node child loads it); `sizes` are row counts; `rounds` the
 * number of alternated rounds per size.
 */
export async function benchFitAtScale(
  source: Dataset,
  compiled: CompiledContract,
  contractPath: string,
  gbdt: GbdtParams,
  sizes: number[],
  rounds: number,
): Promise<string[]> {
  const python = findPython();
  const params = JSON.stringify({ ...gbdt, max_rounds: SCALE_ROUNDS });
  const lines = [
    `GBDT fit beside scikit-learn HistGradientBoostingRegressor (${SCALE_ROUNDS} rounds, no early stopping, max_bins ${gbdt.max_bins}, ` +
      `leaves ${gbdt.max_leaves}, depth ${gbdt.max_depth || 'unlimited'}, min leaf ${gbdt.min_samples_leaf}, L2 ${gbdt.l2}, ` +
      `learning rate ${gbdt.learning_rate}; single-threaded; median of ${rounds} alternated rounds; rows resampled with ±1% jitter)`,
  ];
  if (!python)
    lines.push(
      '  scikit-learn is not installed (python3-sklearn, python3-pandas): GBDT alone, no comparison',
    );
  const dir = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  try {
    for (const size of sizes) {
      const matrix = await writeMatrix(generateRows(source, compiled, size, size), compiled, dir);
      const mine: FitResult[] = [];
      const sklearn: FitResult[] = [];
      const mineBoth: FitResult[] = [];
      const sklearnBoth: FitResult[] = [];
      const fit = ['matrix', ...matrix, params];
      for (let r = 0; r < rounds; r++) {
        // Flip the order every round, so neither side always runs on the warmer machine.
        const sides = [
          async () => mine.push(await ours(fit)),
          async () => python && sklearn.push(await theirs(python, fit)),
          async () => mineBoth.push(await ours(fit, BOTH)),
          async () => python && sklearnBoth.push(await theirs(python, fit, false)),
        ];
        for (const side of r % 2 === 0 ? sides : sides.reverse()) await side();
      }
      const seconds = (results: FitResult[]) => median(results.map((f) => f.seconds));
      const perRow = (results: FitResult[]) =>
        `${((seconds(results) / size) * 1e6).toFixed(2)} µs/row`;
      const range = (ratios: number[]) =>
        `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
      const per = (a: FitResult[], b: FitResult[], key: 'seconds' | 'cpu_seconds' = 'seconds') =>
        a.map((f, i) => f[key] / b[i]![key]);
      const same = new Set([...mine, ...mineBoth].map((f) => f.sha256)).size === 1;
      const ownLine =
        `  ${size.toLocaleString('en-US').padStart(9)} rows  GBDT ${seconds(mine).toFixed(2)} s (${perRow(mine)}, peak RSS ${mb(Math.max(...mine.map((f) => f.peak_rss)))}, ${mine[0]!.trees} trees)` +
        `; ${BOTH} threads ${seconds(mineBoth).toFixed(2)} s, ${range(per(mineBoth, mine))} of 1 thread, model bytes ${same ? 'the same' : 'DIFFERENT'}`;
      if (!python) {
        lines.push(ownLine);
        continue;
      }
      lines.push(
        `${ownLine}\n` +
          `             sklearn ${seconds(sklearn).toFixed(2)} s (${perRow(sklearn)}, peak RSS ${mb(Math.max(...sklearn.map((f) => f.peak_rss)))})` +
          `  ratio ${range(per(mine, sklearn))}, CPU ratio ${median(per(mine, sklearn, 'cpu_seconds')).toFixed(2)}` +
          `; default threads ${seconds(sklearnBoth).toFixed(2)} s, GBDT on ${BOTH} threads ÷ it ${range(per(mineBoth, sklearnBoth))}`,
      );
    }
    const largest = Math.max(...sizes);
    const csv = join(dir, `housing-${largest}.csv`);
    await writeDatasetCsv(generateRows(source, compiled, largest, largest), compiled, csv);
    const own = await ours(['csv', csv, contractPath, params]);
    const memory = `  peak RSS, CSV to fitted model, ${largest.toLocaleString('en-US')} rows: GBDT ${mb(own.peak_rss)} (${Math.round(own.peak_rss / largest)} B/row, ${own.seconds.toFixed(1)} s)`;
    if (python) {
      const other = await theirs(python, ['csv', csv, params]);
      lines.push(
        `${memory}, sklearn + pandas ${mb(other.peak_rss)} (${Math.round(other.peak_rss / largest)} B/row, ${other.seconds.toFixed(1)} s), ratio ${(own.peak_rss / other.peak_rss).toFixed(2)}`,
      );
    } else lines.push(memory);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
