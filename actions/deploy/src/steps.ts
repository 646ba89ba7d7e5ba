import { readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import { currentRepo, gitHub } from '@housing/github/client';
import { markdownTable } from '@housing/github/markdown';
import type { Compose } from './compose.ts';
import { Deployment } from './deployments.ts';
import { servedModel, smokeTest, waitReady } from './health.ts';
import type { Inputs } from './inputs.ts';
import { writeRecord, type EnvironmentRecord } from './state.ts';

/** Readiness, the served model version, then the smoke test: why a deploy (or rollback) is healthy. */
async function verify(inputs: Inputs, expectedVersion: string): Promise<string[]> {
  await waitReady(inputs.url, inputs.readyTimeoutMs);
  const served = await servedModel(inputs.url);
  if (served.model_version !== expectedVersion)
    throw new Error(`/v1/model reports ${served.model_version}, expected ${expectedVersion}`);
  const rows = JSON.parse(await readFile(inputs.smokeRows, 'utf8')) as Record<string, unknown>[];
  return smokeTest(inputs.url, served, rows, inputs.range);
}

/** What one deploy works with, once it is known that there is something to deploy. */
export interface DeployContext {
  inputs: Inputs;
  image: string;
  modelVersion: string;
  compose: Compose;
  record: EnvironmentRecord;
  /** The image that ran before, the rollback's target; undefined on a first deploy. */
  running: string | undefined;
  /** The model version `running` serves, when this runner deployed it. */
  runningVersion: string | null;
}

/** The outputs of a run that changes nothing. */
export function reportUnchanged(
  extra: { runningImage?: string; modelVersion?: string } = {},
): void {
  core.setOutput('result', 'unchanged');
  if (extra.runningImage) core.setOutput('running-image', extra.runningImage);
  if (extra.modelVersion) core.setOutput('model-version', extra.modelVersion);
  core.setOutput('deployment-id', '');
}

/** Whether the target already runs and serves its model: then there is nothing to do. */
export async function alreadyRuns(ctx: DeployContext): Promise<boolean> {
  if (ctx.running !== ctx.image) return false;
  const served = await servedModel(ctx.inputs.url).catch(() => undefined);
  return served?.model_version === ctx.modelVersion;
}

/** Refuses an image whose deploy failed and was rolled back, unless forced. */
export function refuseRolledBack(ctx: DeployContext): void {
  const rolledBack = ctx.record.rolled_back.find((r) => r.image === ctx.image);
  if (rolledBack && !ctx.inputs.force)
    throw new ConfigurationError(
      `${ctx.image} was rolled back on ${rolledBack.at} (${rolledBack.reason}); it is not re-applied. Change the desired state, or deploy with force: true`,
      'image',
    );
}

/**
 * Opens the GitHub Deployment, in progress, with this run as its log; only
 * with create-deployment. A job with `environment:` (deploy.yml's) already
 * has the Deployment GitHub makes for it, which carries the environment's
 * reviews and follows the job to success or failure: a second one would list
 * every deploy twice.
 */
export async function openDeployment(ctx: DeployContext): Promise<Opened> {
  const repo = currentRepo();
  const runUrl = `${context.serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${context.runId || ''}`;
  core.setOutput('deployment-id', '');
  if (!ctx.inputs.createDeployment) return { deployment: undefined, runUrl };
  const deployment = await Deployment.create(gitHub(ctx.inputs.githubToken), repo, {
    ref: context.sha || 'main',
    environment: ctx.inputs.environment,
    image: ctx.image,
    modelVersion: ctx.modelVersion,
  });
  core.setOutput('deployment-id', String(deployment.id));
  await deployment.status('in_progress', `deploying ${ctx.modelVersion}`, { logUrl: runUrl });
  return { deployment, runUrl };
}

/** Starts the target and checks it; returns the smoke test's lines. */
export function deployAndVerify(ctx: DeployContext): Promise<string[]> {
  return core.group(`Deploy ${ctx.image}`, async () => {
    await ctx.compose.deploy(ctx.image);
    return verify(ctx.inputs, ctx.modelVersion);
  });
}

/** The job summary of a deploy that went live. */
async function writeSummary(ctx: DeployContext, smoke: string[]): Promise<void> {
  await core.summary
    .addRaw(
      `## Deployed ${ctx.modelVersion} to ${ctx.inputs.environment}\n\n${markdownTable(
        ['', ''],
        [
          ['image', `\`${ctx.image}\``],
          ['before', `\`${ctx.running ?? 'nothing'}\``],
          ['smoke test', smoke.join(', ')],
        ],
      )}`,
      true,
    )
    .write();
}

/**
 * Restarts what ran before and checks it again; says what runs now. A first
 * deploy has nothing to go back to, and a failed rollback needs a person.
 */
async function rollBack(ctx: DeployContext): Promise<string> {
  const { running } = ctx;
  if (!running) return 'nothing to roll back to (first deploy): the failed image stays';
  try {
    await core.group(`Roll back to ${running}`, async () => {
      await ctx.compose.start(running);
      if (ctx.runningVersion) await verify(ctx.inputs, ctx.runningVersion);
      else await waitReady(ctx.inputs.url, ctx.inputs.readyTimeoutMs);
    });
    return `rolled back: ${running} runs and is healthy`;
  } catch (rollbackError) {
    return `ROLLBACK FAILED too (${errorMessage(rollbackError)}): ${ctx.inputs.environment} needs a person now`;
  }
}

/** A Deployment opened on GitHub, and the run's log it points to. */
export interface Opened {
  /** Undefined without create-deployment: the job's own Deployment is the record. */
  deployment: Deployment | undefined;
  runUrl: string;
}

/** Records a healthy deploy: the runner's record, the Deployment's success, outputs, summary. */
export async function goLive(ctx: DeployContext, opened: Opened, smoke: string[]): Promise<void> {
  await writeRecord(ctx.inputs.stateDir, {
    ...ctx.record,
    image: ctx.image,
    model_version: ctx.modelVersion,
    updated_at: new Date().toISOString(),
  });
  await opened.deployment?.status('success', `${ctx.modelVersion} is live`, {
    environmentUrl: ctx.inputs.url,
    logUrl: opened.runUrl,
  });
  core.setOutput('result', 'deployed');
  core.setOutput('running-image', ctx.image);
  core.setOutput('model-version', ctx.modelVersion);
  await writeSummary(ctx, smoke);
}

/**
 * Rolls back after a failed deploy, records the image as rolled back (so it
 * is not re-applied), fails the Deployment, and throws saying both.
 */
export async function failAndRollBack(
  ctx: DeployContext,
  opened: Opened,
  error: unknown,
): Promise<never> {
  const reason = errorMessage(error);
  core.error(`deploy of ${ctx.image} failed: ${reason}`);
  const now = await rollBack(ctx);
  const { running, record } = ctx;
  await writeRecord(ctx.inputs.stateDir, {
    ...record,
    image: running ?? ctx.image,
    model_version: running ? ctx.runningVersion : ctx.modelVersion,
    updated_at: new Date().toISOString(),
    rolled_back: [
      ...record.rolled_back,
      { image: ctx.image, at: new Date().toISOString(), reason },
    ],
  });
  await opened.deployment?.status('failure', `${reason}; ${now}`, { logUrl: opened.runUrl });
  core.setOutput('result', 'rolled-back');
  core.setOutput('running-image', running ?? ctx.image);
  throw new Error(
    `deploy of ${ctx.image} to ${ctx.inputs.environment} failed: ${reason}. Now: ${now}.`,
  );
}
