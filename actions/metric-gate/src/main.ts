import * as core from '@actions/core';
import { context } from '@actions/github';
import { readMetricsOrCard } from '@housing/model-card/metrics';
import { evaluateGate } from '@housing/pipeline/gate';
import { loadParams } from '@housing/pipeline/params';
import { currentRepo, gitHub } from '../../shared/github.ts';
import { booleanInput, stringInput } from '../../shared/inputs.ts';
import { runAction } from '../../shared/run.ts';
import { latestReleaseBaseline, type Baseline } from './baseline.ts';
import { upsertComment } from './comment.ts';
import { gateMarkdown } from './report.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  candidate: string;
  baseline: string;
  releaseTagPrefix: string;
  releaseAsset: string;
  params: string;
  comment: boolean;
  githubToken: string;
}

export function getInputs(): Inputs {
  const inputs: Inputs = {
    candidate: stringInput('candidate', 'reports/metrics.json'),
    baseline: stringInput('baseline', 'release'),
    releaseTagPrefix: stringInput('release-tag-prefix', 'model-v'),
    releaseAsset: stringInput('release-asset', 'metrics.json'),
    params: stringInput('params', 'params.yaml'),
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

/** Gates the candidate, reports it, and fails the job when the gate fails. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const gates = (await loadParams(inputs.params)).gate.metrics;
    const candidate = await readMetricsOrCard(inputs.candidate);
    const client = () => {
      if (!inputs.githubToken) throw new Error("input 'github-token' is empty");
      return gitHub(inputs.githubToken);
    };

    const baseline = await core.group('Baseline', async (): Promise<Baseline | undefined> => {
      if (inputs.baseline !== 'release')
        return { name: inputs.baseline, metrics: await readMetricsOrCard(inputs.baseline) };
      const found = await latestReleaseBaseline(
        client(),
        currentRepo(),
        inputs.releaseTagPrefix,
        inputs.releaseAsset,
      );
      core.info(
        found
          ? `baseline: release ${found.name}`
          : `no release tagged ${inputs.releaseTagPrefix}*: only the absolute limits apply`,
      );
      return found;
    });

    const result = evaluateGate(candidate, baseline?.metrics, gates, baseline?.name ?? null);
    const markdown = gateMarkdown(result, inputs.candidate);
    await core.summary.addRaw(markdown, true).write();

    const pr = pullRequestNumber();
    if (inputs.comment && pr !== undefined) {
      const { id, action } = await upsertComment(client(), currentRepo(), pr, markdown);
      core.info(`PR #${pr}: ${action} comment ${id}`);
    }

    core.setOutput('passed', String(result.passed));
    core.setOutput('baseline', baseline?.name ?? '');
    if (!result.passed) {
      const failed = result.rows.filter((r) => !r.passed);
      core.setFailed(
        `metric gate failed: ${failed.map((r) => `${r.metric} ${r.reason}`).join('; ')}`,
      );
    }
  });
}
