/**
 * Whether the GBDT's model bytes depend on the number of threads when the
 * threads are starved: fits the same resampled rows on 1 thread once, then
 * on each of the other thread counts `repeats` times, in turn, while busy
 * child processes (one per core by default) keep every core loaded, and
 * counts the fits whose model SHA-256 differs from the one-thread model's.
 *   node --import tsx pipeline/bench/fit-stress.ts [rows] [repeats] [rounds] [threads,...] [busy]
 * Defaults: 200000 rows, 40 repeats, 100 rounds, threads 2,3, one busy process per core.
 * With STRESS_FRESH=1 every fit runs in a fresh child (fit-child.ts), its code
 * cold and compiled while it runs: the shared partition that was reverted
 * (c31caf0) gave a different model there in 2 of 120 fits at 200k rows, and
 * in none of 100 fits made one after another in one process.
 * Prints one line per fit and a summary; exits 1 when any fit differs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { HOUSING_CSV, ROOT } from '@housing/test-support/root';
import { loadContract } from '../src/contract/contract.ts';
import { loadDataset } from '../src/data/rows.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { loadParams } from '../src/params/params.ts';
import { generateRows } from './generate.ts';

const [rowsText = '200000', repeatsText = '40', roundsText = '100', threadsText = '2,3', busyText] =
  process.argv.slice(2);
const rows = Number(rowsText);
const repeats = Number(repeatsText);
const counts = threadsText.split(',').map(Number);
const busy = busyText === undefined ? availableParallelism() : Number(busyText);

const compiled = await loadContract(join(ROOT, 'pipeline/contract/housing.contract.json'));
const data = generateRows(await loadDataset(HOUSING_CSV, compiled), compiled, rows, rows);
const x = transformFeatures(fitFeatureSpec(data, compiled.columns), data);
const y = data.numeric[compiled.columns.target]!;
const params = {
  ...(await loadParams(join(ROOT, 'params.yaml'))).gbdt,
  max_rounds: Number(roundsText),
};
const noValidation = { x: [new Float32Array(0)], y: new Float64Array(0) };

const fresh = process.env.STRESS_FRESH === '1';
const dir = mkdtempSync(join(tmpdir(), 'fit-stress-'));
if (fresh) {
  const matrix = new Float32Array(rows * x.length);
  x.forEach((column, f) => matrix.set(column, f * rows));
  writeFileSync(join(dir, 'x.f32'), matrix);
  writeFileSync(join(dir, 'y.f64'), y);
}

/** One fit in a fresh child: its SHA-256 is of the model's bytes (fit-child.ts). */
function freshFitHash(threads: number): { sha256: string; seconds: number } {
  const child = fileURLToPath(new URL('./fit-child.ts', import.meta.url));
  const args = [join(dir, 'x.f32'), join(dir, 'y.f64'), String(rows), String(x.length)];
  const stdout = execFileSync(
    process.execPath,
    ['--import', 'tsx', child, 'matrix', ...args, JSON.stringify(params), String(threads)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as { sha256: string; seconds: number };
}

function fitHash(threads: number): { sha256: string; seconds: number } {
  if (fresh) return freshFitHash(threads);
  const started = performance.now();
  const fit = fitGbdt(x, y, noValidation, params, undefined, { threads });
  return {
    sha256: createHash('sha256').update(JSON.stringify(fit)).digest('hex'),
    seconds: (performance.now() - started) / 1000,
  };
}

// Busy processes: each spins on its own core, so the fit's threads are descheduled at random points.
const spinners: ChildProcess[] = Array.from({ length: busy }, () =>
  // Each checks now and then that the stress is still its parent, so none outlives a killed run.
  spawn(
    process.execPath,
    [
      '-e',
      `for (;;) { for (let i = 0; i < 1e8; i++); if (process.ppid !== ${process.pid}) process.exit(); }`,
    ],
    { stdio: 'ignore' },
  ),
);
const stop = () => spinners.forEach((child) => child.exitCode === null && child.kill());
process.once('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop();
    process.exit(130);
  });
}

let differing = 0;
try {
  const reference = fitHash(1);
  console.log(`1 thread: ${reference.sha256.slice(0, 16)} ${reference.seconds.toFixed(1)} s`);
  for (let r = 0; r < repeats; r++) {
    for (const threads of counts) {
      const { sha256, seconds } = fitHash(threads);
      const same = sha256 === reference.sha256;
      if (!same) differing++;
      console.log(
        `#${r + 1} ${threads} threads: ${sha256.slice(0, 16)} ${seconds.toFixed(1)} s load ${loadavg()[0]!.toFixed(1)} ${same ? 'same' : 'DIFFERENT'}`,
      );
    }
  }
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `${rows} rows, ${params.max_rounds} rounds, ${busy} busy processes${fresh ? ', a fresh process per fit' : ''}: ${differing} of ${repeats * counts.length} fits on ${threadsText} threads differ from the one-thread model`,
);
process.exitCode = differing === 0 ? 0 : 1;
