import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';
import { parseDesiredState } from '../../shared/desired-state.ts';
import { booleanInput, integerInput, stringInput } from '../../shared/inputs.ts';

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
