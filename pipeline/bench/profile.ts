/**
 * `npm run bench:profile -- --stage fit|validate [--rows N] [--threads T] [--top K]`:
 * where the time of a GBDT fit (100 rounds, no early stopping, on the
 * bench's resampled rows) or of a validation goes, from V8's sampling
 * profiler run in process. Prints the functions with the most self time and
 * their shares of the profiled work, each named with its file and line, so
 * that a goal of issue 18 that is not met comes with what explains it
 * (BENCHMARKS.md). Samples are of the main thread only: on more than one
 * thread, the histogram workers' time is not in it. V8's inlining is turned
 * off before anything runs, so that a small function inlined into its caller
 * (the partition into growTree) keeps its own time; the loops that make most
 * of the time are inside single functions, so their shares barely move.
 */
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberFlag, parseFlags, type CommandHelp, type FlagSpecs } from '@housing/core/args';
import { ConfigurationError } from '@housing/core/errors';
import { runCli } from '@housing/core/run-cli';
import { loadContract } from '../src/contract/contract.ts';
import { loadDataset } from '../src/data/rows.ts';
import { fitFeatureSpec, transformFeatures } from '../src/features/features.ts';
import { fitGbdt } from '../src/models/gbdt/gbdt.ts';
import { loadParams } from '../src/params/params.ts';
import { validateCsv } from '../src/validate/validate.ts';
import { SCALE_ROUNDS } from './fit-scale.ts';
import { generateRows, writeDatasetCsv } from './generate.ts';

const HELP: CommandHelp = {
  command: 'npm run bench:profile',
  summary:
    "Profiles one GBDT fit (100 rounds, no early stopping, params.yaml's gbdt) or one\nvalidation (the data contract, on a CSV written to a temporary folder) of rows resampled\nfrom HOUSING_CSV (default data/housing.csv) as bench:pipeline does, and prints the\nfunctions with the most self time, with their shares of the profiled work.",
};
const FLAGS = {
  stage: { type: 'string', value: '<fit|validate>', description: 'what to profile' },
  rows: { type: 'string', value: '<n>', description: 'rows to generate', defaultText: '200000' },
  threads: {
    type: 'string',
    value: '<n>',
    description: "the fit's histogram threads (the main thread's samples only)",
    defaultText: '1',
  },
  top: { type: 'string', value: '<n>', description: 'functions to print', defaultText: '15' },
} as const satisfies FlagSpecs;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs `work` under the sampling profiler and returns the profile. */
async function profiled(work: () => Promise<void> | void): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    await work();
    const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    return profile;
  } finally {
    session.disconnect();
  }
}

/**
 * Frames under the inspector's own calls: stopping the profiler is sampled
 * too (its `dispatch`), and is no part of the work.
 */
function inspectorFrames(profile: CpuProfile): Set<number> {
  const below = new Set<number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const mark = (id: number): void => {
    below.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const node of profile.nodes) if (node.callFrame.url === 'node:inspector') mark(node.id);
  return below;
}

/** Self time per function (name and file), largest first, idle time and the profiler's own left out. */
function selfTimes(profile: CpuProfile): { name: string; ms: number }[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const skip = inspectorFrames(profile);
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!;
    if (frame.functionName === '(idle)' || skip.has(id)) return;
    const file = frame.url.replace(/^.*\/(pipeline|packages|node_modules)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

setFlagsFromString('--no-turbo-inlining');

runCli(async (argv) => {
  const flags = parseFlags(argv, FLAGS, HELP);
  const what = flags.stage;
  if (what !== 'fit' && what !== 'validate')
    throw new ConfigurationError(
      `--stage must be fit or validate (got '${what ?? ''}'); npm run bench:profile -- --help`,
    );
  const whole = (flag: 'rows' | 'threads' | 'top', fallback: number): number => {
    const value = numberFlag(flags[flag], flag) ?? fallback;
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigurationError(`--${flag} must be a whole number of at least 1, got ${value}`);
    return value;
  };
  const rows = whole('rows', 200_000);
  const threads = whole('threads', 1);
  const top = whole('top', 15);

  const contractPath = 'pipeline/contract/housing.contract.json';
  const contract = await loadContract(contractPath);
  const source = await loadDataset(process.env.HOUSING_CSV ?? 'data/housing.csv', contract);
  const data = generateRows(source, contract, rows, rows);
  let profile: CpuProfile;
  if (what === 'fit') {
    const params = await loadParams('params.yaml');
    const x = transformFeatures(fitFeatureSpec(data, contract.columns), data);
    const y = data.numeric[contract.columns.target]!;
    const none = { x: [new Float32Array(0)], y: new Float64Array(0) };
    const gbdt = { ...params.gbdt, max_rounds: SCALE_ROUNDS };
    profile = await profiled(() => void fitGbdt(x, y, none, gbdt, undefined, { threads }));
  } else {
    const params = await loadParams('params.yaml');
    const dir = await mkdtemp(join(tmpdir(), 'bench-profile-'));
    try {
      const csv = join(dir, 'rows.csv');
      await writeDatasetCsv(data, contract, csv);
      profile = await profiled(async () => {
        await validateCsv(csv, { contract, drift: params.validate.drift });
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const times = selfTimes(profile);
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  console.log(
    `${what}, ${rows.toLocaleString('en-US')} rows${what === 'fit' ? `, ${threads} thread${threads > 1 ? 's (main thread only)' : ''}` : ''}: ${(total / 1000).toFixed(2)} s of samples (node ${process.version}, V8 inlining off)`,
  );
  for (const { name, ms } of times.slice(0, top))
    console.log(
      `  ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${(ms / 1000).toFixed(2).padStart(6)} s  ${name}`,
    );
});
