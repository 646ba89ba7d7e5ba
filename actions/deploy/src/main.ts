import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import { currentRepo, GitHubClient } from '../../shared/github.ts';
import { booleanInput, integerInput, stringInput } from '../../shared/inputs.ts';
import { markdownTable } from '../../shared/markdown.ts';
import { runAction } from '../../shared/run.ts';
import { Compose } from './compose.ts';
import { Deployment } from './deployments.ts';
import { servedModel, smokeTest, waitReady } from './health.ts';
import { readRecord, writeRecord } from './state.ts';
import { parseDesiredState } from '../../shared/desired-state.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  environment: string;
  /** Undefined when the desired state has nothing promoted yet. */
  target: { image: string; modelVersion: string } | undefined;
  url: string;
  composeFile: string;
  service: string;
  stateDir: string;
  smokeRows: string;
  range: { min: number; max: number };
  readyTimeoutMs: number;
  force: boolean;
  githubToken: string;
}

/**
 * What to deploy: the image and model-version inputs, or the desired-state
 * file; a model version missing from the inputs comes from a model-<version> tag.
 */
async function target(environment: string): Promise<Inputs['target']> {
  let image = core.getInput('image').trim();
  let modelVersion = core.getInput('model-version').trim();
  if (!image) {
    const file = core.getInput('desired-state').trim();
    if (!file) throw new ConfigurationError("input 'image' or 'desired-state' is required");
    const state = parseDesiredState(await readFile(file, 'utf8'), file);
    if (state.environment !== environment)
      throw new ConfigurationError(`is for ${state.environment}, not ${environment}`, file);
    if (!state.image) return undefined;
    image = state.image;
    modelVersion ||= state.model_version ?? '';
  }
  modelVersion ||= /:model-([\w.-]+)$/.exec(image)?.[1] ?? '';
  if (!modelVersion)
    throw new ConfigurationError(
      `input 'model-version' is required: '${image}' has no model-<version> tag`,
    );
  return { image, modelVersion };
}

export async function getInputs(): Promise<Inputs> {
  const environment = stringInput('environment');
  if (environment !== 'staging' && environment !== 'production')
    throw new ConfigurationError(
      `input 'environment' must be staging or production, got '${environment}'`,
    );
  const number = (name: string, fallback: number) => {
    const raw = core.getInput(name).trim();
    const n = raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(n))
      throw new ConfigurationError(`input '${name}' must be a number, got '${raw}'`);
    return n;
  };
  const inputs: Inputs = {
    environment,
    target: await target(environment),
    url: stringInput('url', 'http://127.0.0.1:8080').replace(/\/$/, ''),
    composeFile: stringInput('compose-file', 'docker-compose.yml'),
    service: stringInput('service', 'service'),
    stateDir: stringInput('state-dir', join(homedir(), '.housing-mlops/deployments')),
    smokeRows: stringInput('smoke-rows', 'deploy/smoke-rows.json'),
    range: { min: number('min-prediction', 0), max: number('max-prediction', 1_000_000) },
    readyTimeoutMs: integerInput('ready-timeout-seconds', 120, 1) * 1000,
    force: booleanInput('force', false),
    githubToken: stringInput('github-token'),
  };
  core.setSecret(inputs.githubToken);
  return inputs;
}

/** Readiness, the served model version, then the smoke test: why a deploy (or rollback) is healthy. */
async function verify(inputs: Inputs, expectedVersion: string): Promise<string[]> {
  await waitReady(inputs.url, inputs.readyTimeoutMs);
  const served = await servedModel(inputs.url);
  if (served.model_version !== expectedVersion)
    throw new Error(`/v1/model reports ${served.model_version}, expected ${expectedVersion}`);
  const rows = JSON.parse(await readFile(inputs.smokeRows, 'utf8')) as Record<string, unknown>[];
  return smokeTest(inputs.url, served, rows, inputs.range);
}

/** Deploys, verifies, and rolls back on any failure; see action.yml. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = await getInputs();
    if (!inputs.target) {
      core.info(`nothing is promoted to ${inputs.environment} yet: nothing to deploy`);
      core.setOutput('result', 'unchanged');
      core.setOutput('deployment-id', '');
      return;
    }
    const { image, modelVersion } = inputs.target;
    const compose = new Compose(inputs.composeFile, inputs.service, (line) => core.info(line));
    const record = await readRecord(inputs.stateDir, inputs.environment);
    const running = (await compose.runningImage()) ?? undefined;
    const runningVersion = running === record.image ? record.model_version : null;
    core.info(`${inputs.environment} runs ${running ?? 'nothing'} now`);

    if (running === image) {
      const served = await servedModel(inputs.url).catch(() => undefined);
      if (served?.model_version === modelVersion) {
        core.info(`${image} (${modelVersion}) already runs: nothing to do`);
        core.setOutput('result', 'unchanged');
        core.setOutput('running-image', running);
        core.setOutput('model-version', modelVersion);
        core.setOutput('deployment-id', '');
        return;
      }
    }
    const rolledBack = record.rolled_back.find((r) => r.image === image);
    if (rolledBack && !inputs.force)
      throw new ConfigurationError(
        `${image} was rolled back on ${rolledBack.at} (${rolledBack.reason}); it is not re-applied. Change the desired state, or deploy with force: true`,
        'image',
      );

    const client = new GitHubClient(inputs.githubToken);
    const repo = currentRepo();
    const runUrl = `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repo.owner}/${repo.repo}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`;
    const deployment = await Deployment.create(client, repo, {
      ref: process.env.GITHUB_SHA ?? 'main',
      environment: inputs.environment,
      image: image,
      modelVersion: modelVersion,
    });
    core.setOutput('deployment-id', String(deployment.id));
    await deployment.status('in_progress', `deploying ${modelVersion}`, { logUrl: runUrl });

    try {
      const smoke = await core.group(`Deploy ${image}`, async () => {
        await compose.deploy(image);
        return verify(inputs, modelVersion);
      });
      await writeRecord(inputs.stateDir, {
        ...record,
        image: image,
        model_version: modelVersion,
        updated_at: new Date().toISOString(),
      });
      await deployment.status('success', `${modelVersion} is live`, {
        environmentUrl: inputs.url,
        logUrl: runUrl,
      });
      core.setOutput('result', 'deployed');
      core.setOutput('running-image', image);
      core.setOutput('model-version', modelVersion);
      await core.summary
        .addRaw(
          `## Deployed ${modelVersion} to ${inputs.environment}\n\n${markdownTable(
            ['', ''],
            [
              ['image', `\`${image}\``],
              ['before', `\`${running ?? 'nothing'}\``],
              ['smoke test', smoke.join(', ')],
            ],
          )}`,
          true,
        )
        .write();
    } catch (error) {
      const reason = errorMessage(error);
      core.error(`deploy of ${image} failed: ${reason}`);
      let now: string;
      if (!running) now = 'nothing to roll back to (first deploy): the failed image stays';
      else {
        try {
          await core.group(`Roll back to ${running}`, async () => {
            await compose.start(running);
            if (runningVersion) await verify(inputs, runningVersion);
            else await waitReady(inputs.url, inputs.readyTimeoutMs);
          });
          now = `rolled back: ${running} runs and is healthy`;
        } catch (rollbackError) {
          now = `ROLLBACK FAILED too (${errorMessage(rollbackError)}): ${inputs.environment} needs a person now`;
        }
      }
      await writeRecord(inputs.stateDir, {
        ...record,
        image: running ?? image,
        model_version: running ? runningVersion : modelVersion,
        updated_at: new Date().toISOString(),
        rolled_back: [
          ...record.rolled_back,
          { image: image, at: new Date().toISOString(), reason },
        ],
      });
      await deployment.status('failure', `${reason}; ${now}`, { logUrl: runUrl });
      core.setOutput('result', 'rolled-back');
      core.setOutput('running-image', running ?? image);
      throw new Error(
        `deploy of ${image} to ${inputs.environment} failed: ${reason}. Now: ${now}.`,
      );
    }
  });
}
