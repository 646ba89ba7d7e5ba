/**
 * `npm run bench:pipeline`: checks its arguments, then runs the benchmark
 * (pipeline-run.ts, which does its work at import). `--help` prints what it
 * measures and exits 0 before any of it starts; any other argument exits 2.
 */
import { runCli } from '@housing/core/run-cli';
import { parseFlags, type CommandHelp } from '@housing/core/args';

const HELP: CommandHelp = {
  command: 'npm run bench:pipeline',
  summary:
    "Measures the pipeline from the repository root: CSV parse and validation rows/s, the GBDT\nfit, onnxruntime beside the in-memory model, the CSV reader's time on hostile input\nbeside clean input at N and 4N rows, the GBDT's mean test RMSE over five seeded splits, and\nthe GBDT's fit beside scikit-learn's HistGradientBoostingRegressor at 20k, 200k and 2M\nresampled rows, single-threaded and on every core, with peak RSS (BENCHMARKS.md). scikit-learn is used where a python3 with\nsklearn and pandas is found (BENCH_PYTHON, /usr/bin/python3, python3), else skipped with a\nnote. The data is HOUSING_CSV, default data/housing.csv (npm run data:pull).\nBENCH_FIT_SIZES (comma-separated rows) and BENCH_FIT_ROUNDS (default 3) change the\ncomparison. Takes about 25 minutes.",
};

runCli(async (argv) => {
  parseFlags(argv, {}, HELP);
  await import('./pipeline-run.ts');
});
