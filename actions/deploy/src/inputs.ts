import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';
import { checkModelVersion, parseDesiredState } from '../../shared/desired-state.ts';
import { envFilePort } from './env-file-port.ts';
import { imageByDigest, registryOf } from '../../shared/image-ref.ts';
import { currentRepo } from '@housing/github/client';
import { booleanInput, integerInput, stringInput } from '../../shared/inputs.ts';
import { refuseForeignImage } from './provenance.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  environment: string;
  /** Undefined when the desired state has nothing promoted yet. */
  target: { image: string; modelVersion: string } | undefined;
  url: string;
  composeFile: string;
  service: string;
  /** Compose's project: one per environment, so two can share a host. */
  projectName: string;
  /** The env file Compose reads (outside the workspace), or undefined for none. */
  envFile: string | undefined;
  /** Credentials for the image's registry, or undefined to pull anonymously. */
  registry: { host: string; username: string; password: string } | undefined;
  stateDir: string;
  smokeRows: string;
  range: { min: number; max: number };
  readyTimeoutMs: number;
  force: boolean;
  /** Whether this action records a GitHub Deployment (only for a job without `environment:`). */
  createDeployment: boolean;
  githubToken: string;
  /** Whether the image's build provenance is verified before it is pulled (off only in loopback tests). */
  verifyProvenance: boolean;
}

/**
 * What to deploy: the image and model-version inputs (a workflow_dispatch),
 * or the desired-state file. Either way the image is named by digest, is
 * this repository's own (under the registry input's `<owner>/<repo>/`), and
 * comes with its model version: a digest names no model.
 */
async function target(environment: string): Promise<Inputs['target']> {
  const home = stringInput('registry', 'ghcr.io').toLowerCase();
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?$/.test(home))
    throw new ConfigurationError(
      `input 'registry' must be a registry host (ghcr.io), got '${home}'`,
    );
  const own = (image: string, where: string) => {
    refuseForeignImage(image, home, currentRepo(), where);
    return image;
  };
  const image = core.getInput('image').trim();
  const modelVersion = core.getInput('model-version').trim();
  if (image) {
    if (!modelVersion)
      throw new ConfigurationError(
        `input 'model-version' is required with input 'image': a digest does not say which model the image serves (/v1/model is checked against it)`,
      );
    return {
      image: own(imageByDigest(image, "input 'image'"), "input 'image'"),
      modelVersion: checkModelVersion(modelVersion, "input 'model-version'"),
    };
  }
  if (modelVersion)
    throw new ConfigurationError(
      "input 'model-version' is given without input 'image': give both, or neither (the desired state's)",
    );
  const file = core.getInput('desired-state').trim();
  if (!file) throw new ConfigurationError("input 'image' or 'desired-state' is required");
  const state = parseDesiredState(await readFile(file, 'utf8'), file);
  if (state.environment !== environment)
    throw new ConfigurationError(`is for ${state.environment}, not ${environment}`, file);
  if (!state.image || !state.model_version) return undefined;
  return { image: own(state.image, file), modelVersion: state.model_version };
}

/** A path input with a leading `~/` meaning the runner user's home. */
function homePath(raw: string): string {
  return raw === '~' ? homedir() : raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : raw;
}

/** The env-file input: a file that exists, or undefined when not given. */
async function envFile(): Promise<string | undefined> {
  const raw = core.getInput('env-file').trim();
  if (!raw) return undefined;
  const path = homePath(raw);
  const found = await stat(path).catch(() => undefined);
  if (!found)
    throw new ConfigurationError(
      `input 'env-file': ${path} does not exist. Create it on this runner (outside the workspace, which checkout cleans), with the service's variables (SERVICE_PORT, ADMIN_TOKEN...); see the README's "Deploys"`,
    );
  // A folder would pass a check of existence and fail in Compose, or as EISDIR.
  if (!found.isFile()) throw new ConfigurationError(`input 'env-file': ${path} is not a file`);
  return path;
}

/**
 * The service's URL on this host: the url input, else 127.0.0.1 at the
 * SERVICE_PORT the env file publishes (docker-compose.yml's
 * `${SERVICE_PORT:-8080}:8080`), else 8080.
 */
async function serviceUrl(envFilePath: string | undefined): Promise<string> {
  const given = core.getInput('url').trim();
  if (given) return given.replace(/\/$/, '');
  const port = envFilePath
    ? envFilePort(await readFile(envFilePath, 'utf8'), envFilePath)
    : undefined;
  return `http://127.0.0.1:${port ?? 8080}`;
}

/** Registry credentials: both inputs, or neither (a public image). */
function registry(image: string | undefined): Inputs['registry'] {
  const username = core.getInput('registry-username').trim();
  const password = core.getInput('registry-password');
  if (!username && !password) return undefined;
  if (!username || !password)
    throw new ConfigurationError(
      "inputs 'registry-username' and 'registry-password' are given together, or not at all",
    );
  return image ? { host: registryOf(image), username, password } : undefined;
}

export async function getInputs(): Promise<Inputs> {
  // Masked first: no message below can then print a credential.
  for (const secret of ['registry-password', 'github-token']) {
    const value = core.getInput(secret);
    if (value) core.setSecret(value);
  }
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
  const projectName = stringInput('project-name', `housing-${environment}`);
  // Compose's own rule for project names.
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(projectName))
    throw new ConfigurationError(
      `input 'project-name' must be lower-case letters, digits, '-' and '_', starting with a letter or digit, got '${projectName}'`,
    );
  const deployTarget = await target(environment);
  const envFilePath = await envFile();
  const inputs: Inputs = {
    environment,
    target: deployTarget,
    url: await serviceUrl(envFilePath),
    composeFile: stringInput('compose-file', 'docker-compose.yml'),
    service: stringInput('service', 'service'),
    projectName,
    envFile: envFilePath,
    registry: registry(deployTarget?.image),
    stateDir: homePath(stringInput('state-dir', join(homedir(), '.housing-mlops/deployments'))),
    smokeRows: stringInput('smoke-rows', 'deploy/smoke-rows.json'),
    range: { min: number('min-prediction', 0), max: number('max-prediction', 1_000_000) },
    readyTimeoutMs: integerInput('ready-timeout-seconds', 120, 1) * 1000,
    force: booleanInput('force', false),
    createDeployment: booleanInput('create-deployment', false),
    githubToken: stringInput('github-token'),
    verifyProvenance: booleanInput('verify-provenance', true),
  };
  return inputs;
}
