import * as core from '@actions/core';
import { context } from '@actions/github';
import { readMetricsOrCard } from '@housing/model-card/metrics';
import { writeJsonAtomic } from '@housing/core/atomic';
import { evaluateGate } from '@housing/pipeline/gate';
import type { GateReport } from '@housing/pipeline/head-to-head';
import { loadParams } from '@housing/pipeline/params';
import { currentRepo, gitHub } from '@housing/github/client';
import { booleanInput, stringInput } from '../../shared/inputs.ts';
import { CARD_ASSET, fetchProductionModel, MODEL_ASSET } from '../../shared/production-model.ts';
import { runAction } from '../../shared/run.ts';
import { upsertComment } from './comment.ts';
import { gateHeadToHead } from './head-to-head.ts';
import { gateMarkdown, type BaselineLabel } from './report.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  candidate: string;
  candidateModel: string | undefined;
  baseline: string;
  desiredState: string;
  params: string;
  report: string;
  comment: boolean;
  githubToken: string;
}

export function getInputs(): Inputs {
  const inputs: Inputs = {
    candidate: stringInput('candidate', 'artifacts/model.card.json'),
    candidateModel: core.getInput('candidate-model').trim() || undefined,
    baseline: stringInput('baseline', 'production'),
    desiredState: stringInput('desired-state', 'deploy/production.yml'),
    params: stringInput('params', 'params.yaml'),
    report: stringInput('report-path', 'reports/gate.json'),
    comment: booleanInput('comment', true),
    githubToken: core.getInput('github-token'),
  };
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  return inputs;
}

/** The pull request number of a pull_request event, from its payload. */
function pullRequestNumber(): number | undefined {
  if (!context.eventName?.startsWith('pull_request')) return undefined;
  return context.payload.pull_request?.number;
}

/**
 * The gate's report and what it was against. Against production: the model
 * deploy/production.yml names, from its release, scored with the candidate
 * on the candidate's own test rows; on a first run (no model named), the
 * absolute limits. Against a file: the metrics both files record.
 */
async function gate(
  inputs: Inputs,
): Promise<{ report: GateReport; baseline: BaselineLabel; name: string }> {
  const gates = (await loadParams(inputs.params)).gate.metrics;
  if (inputs.baseline !== 'production') {
    const metrics = await readMetricsOrCard(inputs.baseline);
    const candidate = await readMetricsOrCard(inputs.candidate);
    const report = evaluateGate(candidate, metrics, gates, inputs.baseline);
    await writeJsonAtomic(inputs.report, report);
    return { report, baseline: { kind: 'file', path: inputs.baseline }, name: inputs.baseline };
  }
  const production = await core.group('Baseline: the production model', () =>
    fetchProductionModel({
      desiredState: inputs.desiredState,
      assets: [MODEL_ASSET, CARD_ASSET],
      githubToken: inputs.githubToken,
    }),
  );
  if (production.kind === 'none') {
    const why = `${inputs.desiredState} names no production model yet`;
    core.notice(`${why}: the gate applies only the absolute limits (a first model)`);
    const report = evaluateGate(await readMetricsOrCard(inputs.candidate), undefined, gates, null);
    await writeJsonAtomic(inputs.report, report);
    return { report, baseline: { kind: 'none', why }, name: '' };
  }
  core.info(`baseline: ${production.modelVersion}, release ${production.tag}`);
  const report = await core.group('Score production and the candidate on the same rows', () =>
    gateHeadToHead({
      candidateCard: inputs.candidate,
      candidateModel: inputs.candidateModel,
      baselineCard: production.files[CARD_ASSET]!,
      baselineModel: production.files[MODEL_ASSET]!,
      params: inputs.params,
      report: inputs.report,
    }),
  );
  return {
    report,
    baseline: { kind: 'production', tag: production.tag, modelVersion: production.modelVersion },
    name: production.tag,
  };
}

/** Gates the candidate, reports it, and fails the job when the gate fails. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const { report, baseline, name } = await gate(inputs);
    const markdown = gateMarkdown(report, inputs.candidate, baseline);
    await core.summary.addRaw(markdown, true).write();

    const pr = pullRequestNumber();
    if (inputs.comment && pr !== undefined) {
      if (!inputs.githubToken) throw new Error("input 'github-token' is empty");
      const github = gitHub(inputs.githubToken);
      const { id, action } = await upsertComment(github, currentRepo(), pr, markdown);
      core.info(`PR #${pr}: ${action} comment ${id}`);
    }

    core.setOutput('passed', String(report.passed));
    core.setOutput('baseline', name);
    if (!report.passed) {
      const failed = report.rows.filter((r) => !r.passed);
      core.setFailed(
        `metric gate failed: ${failed.map((r) => `${r.metric} ${r.reason}`).join('; ')}`,
      );
    }
  });
}
