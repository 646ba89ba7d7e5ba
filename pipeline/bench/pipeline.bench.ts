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
    "Measures the pipeline from the repository root: CSV parse and validation rows/s, the GBDT\nfit, onnxruntime beside the in-memory model, and the CSV reader's time on hostile input\nbeside clean input at N and 4N rows (BENCHMARKS.md). The data is HOUSING_CSV, default\n../shared/datasets/california-housing/housing.csv. Takes a few minutes.",
};

runCli(async (argv) => {
  parseFlags(argv, {}, HELP);
  await import('./pipeline-run.ts');
});
