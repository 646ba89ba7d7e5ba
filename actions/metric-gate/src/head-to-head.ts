import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '@housing/core/errors';
import type { GateReport } from '@housing/pipeline/head-to-head';
import { execProgram } from '../../shared/exec.ts';

/**
 * The pipeline's gate CLI, run from the workspace. The scoring needs
 * onnxruntime-node, a native addon that the bundle cannot carry; the
 * workspace has it after `npm ci`, as the pipeline stages the retrain action
 * runs do.
 */
const GATE_CLI = 'pipeline/src/cli/gate.ts';

/**
 * Scores the production model and the candidate on the candidate's own test
 * rows, in this job, and gates on those scores: `npm run gate --head-to-head`
 * with the release's files as the baseline. Returns its report (exit 0 pass,
 * 1 fail); its exit 2 (bad input) is a ConfigurationError with its message.
 */
export async function gateHeadToHead(options: {
  candidateCard: string;
  candidateModel: string | undefined;
  baselineCard: string;
  baselineModel: string;
  params: string;
  report: string;
}): Promise<GateReport> {
  const args = [
    '--import',
    'tsx',
    GATE_CLI,
    '--head-to-head',
    '--candidate',
    options.candidateCard,
    ...(options.candidateModel === undefined ? [] : ['--candidate-model', options.candidateModel]),
    '--baseline',
    options.baselineCard,
    '--baseline-model',
    options.baselineModel,
    '--params',
    options.params,
    '--report',
    options.report,
  ];
  const run = await execProgram(process.execPath, args, { okCodes: [0, 1, 2] });
  if (run.exitCode === 2) {
    // The CLI prints one line: "error: <where>: <what>".
    const line = run.stderr.trim().split('\n').at(-1) ?? '';
    throw new ConfigurationError(line.replace(/^error: /, '') || `${GATE_CLI} exited with 2`);
  }
  return JSON.parse(await readFile(options.report, 'utf8')) as GateReport;
}
