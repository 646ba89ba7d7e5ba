import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';
import { currentRepo, gitHub } from '@housing/github/client';
import { stringInput } from '../../shared/inputs.ts';
import { markdownTable } from '@housing/github/markdown';
import { runAction } from '../../shared/run.ts';
import { resetBranch } from '@housing/github/branch';
import { upsertPullRequest } from '@housing/github/pull-request';
import { readFileOn } from '@housing/github/contents';
import { imageByDigest } from '../../shared/image-ref.ts';
import { commitFiles } from '@housing/github/commit';
import { readFilesInput } from './commit-files.ts';
import {
  checkModelVersion,
  ENVIRONMENTS,
  parseDesiredState,
  withDesiredState,
  type DesiredState,
} from '../../shared/desired-state.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  environment: (typeof ENVIRONMENTS)[number];
  image: string;
  modelVersion: string;
  base: string | undefined;
  reason: string | undefined;
  githubToken: string;
  /** The `files` input's paths, one a line, committed with the desired state ('' for none). */
  files: string;
}

export function getInputs(): Inputs {
  const environment = stringInput('environment');
  if (!(ENVIRONMENTS as readonly string[]).includes(environment))
    throw new ConfigurationError(
      `input 'environment' must be ${ENVIRONMENTS.join(' or ')}, got '${environment}'`,
    );
  const inputs = {
    environment: environment as Inputs['environment'],
    // By digest, lower-cased: the desired state names exactly what was built.
    image: imageByDigest(stringInput('image'), "input 'image'"),
    modelVersion: checkModelVersion(stringInput('model-version'), "input 'model-version'"),
    base: core.getInput('base') || undefined,
    reason: core.getInput('reason') || undefined,
    githubToken: stringInput('github-token'),
    files: core.getInput('files'),
  };
  core.setSecret(inputs.githubToken);
  return inputs;
}

/** The pull request's body: what changes for the environment, and why. */
function pullBody(inputs: Inputs, state: DesiredState): string {
  return [
    `Merging this deploys to **${inputs.environment}** (deploy.yml).`,
    markdownTable(
      ['', 'now', 'after merge'],
      [
        ['image', `\`${state.image ?? 'none'}\``, `\`${inputs.image}\``],
        ['model', `\`${state.model_version ?? 'none'}\``, `\`${inputs.modelVersion}\``],
      ],
    ),
    ...(inputs.reason ? [`Why: ${inputs.reason}`] : []),
  ].join('\n\n');
}

/** Sets the desired state on promote/<environment> and keeps one pull request open from it. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const github = gitHub(inputs.githubToken);
    const repo = currentRepo();
    const base = inputs.base ?? (await github.rest.repos.get(repo)).data.default_branch;
    const branch = `promote/${inputs.environment}`;
    const file = `deploy/${inputs.environment}.yml`;
    core.setOutput('branch', branch);
    // Read before anything changes on GitHub: a bad path must leave the branch as it was.
    const extra = await readFilesInput(inputs.files, process.cwd(), [file]);

    const baseSha = (await github.rest.git.getRef({ ...repo, ref: `heads/${base}` })).data.object
      .sha;
    // Read where the branch will start, so the commit below cannot be based on another state.
    const current = await readFileOn(github, repo, file, baseSha);
    const state = parseDesiredState(current.text, file);
    if (state.image === inputs.image && state.model_version === inputs.modelVersion) {
      core.info(`${file} on ${base} already says ${inputs.image}: nothing to promote`);
      return;
    }

    // The branch restarts from base every time, so the PR holds exactly this one change.
    await resetBranch(github, repo, branch, baseSha);

    const title = `Promote ${inputs.modelVersion} to ${inputs.environment}`;
    const desired = withDesiredState(current.text, inputs.image, inputs.modelVersion);
    // One commit: the desired state, and the files that record how the model was made.
    await commitFiles(github, repo, {
      branch,
      parent: baseSha,
      message: `${title}\n\nimage: ${inputs.image}`,
      files: new Map([[file, Buffer.from(desired)], ...extra]),
    });

    const body = pullBody(inputs, state);
    const pull = await upsertPullRequest(github, repo, { branch, base, title, body });
    core.info(`${pull.action} pull request #${pull.number}`);
    core.setOutput('pull-request-number', String(pull.number));
    core.setOutput('pull-request-url', pull.url);
    await core.summary
      .addRaw(`## ${title}\n\n[#${pull.number}](${pull.url})\n\n${body}`, true)
      .write();
  });
}
