import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';
import { currentRepo, GitHubClient } from '../../shared/github.ts';
import { stringInput } from '../../shared/inputs.ts';
import { markdownTable } from '../../shared/markdown.ts';
import { runAction } from '../../shared/run.ts';
import { ENVIRONMENTS, parseDesiredState, withDesiredState } from '../../shared/desired-state.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  environment: (typeof ENVIRONMENTS)[number];
  image: string;
  modelVersion: string;
  base: string | undefined;
  reason: string | undefined;
  githubToken: string;
}

export function getInputs(): Inputs {
  const environment = stringInput('environment');
  if (!(ENVIRONMENTS as readonly string[]).includes(environment))
    throw new ConfigurationError(
      `input 'environment' must be ${ENVIRONMENTS.join(' or ')}, got '${environment}'`,
    );
  const image = stringInput('image');
  if (!/^[a-z0-9][a-z0-9._\-/:]*(@sha256:[0-9a-f]{64}|:[\w][\w.-]{0,127})$/.test(image))
    throw new ConfigurationError(`input 'image' must name a tag or digest, got '${image}'`);
  const inputs = {
    environment: environment as Inputs['environment'],
    image,
    modelVersion: stringInput('model-version'),
    base: core.getInput('base') || undefined,
    reason: core.getInput('reason') || undefined,
    githubToken: stringInput('github-token'),
  };
  core.setSecret(inputs.githubToken);
  return inputs;
}

interface Ref {
  object: { sha: string };
}
interface Contents {
  sha: string;
  content: string;
}
interface Pull {
  number: number;
  html_url: string;
}

/** Sets the desired state on promote/<environment> and keeps one pull request open from it. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const client = new GitHubClient(inputs.githubToken);
    const { owner, repo } = currentRepo();
    const api = `/repos/${owner}/${repo}`;
    const base =
      inputs.base ?? (await client.json<{ default_branch: string }>('GET', api)).default_branch;
    const branch = `promote/${inputs.environment}`;
    const file = `deploy/${inputs.environment}.yml`;
    core.setOutput('branch', branch);

    const baseSha = (await client.json<Ref>('GET', `${api}/git/ref/heads/${base}`)).object.sha;
    const current = await client.json<Contents>(
      'GET',
      `${api}/contents/${file}?ref=${encodeURIComponent(base)}`,
    );
    const text = Buffer.from(current.content, 'base64').toString('utf8');
    const state = parseDesiredState(text, file);
    if (state.image === inputs.image && state.model_version === inputs.modelVersion) {
      core.info(`${file} on ${base} already says ${inputs.image}: nothing to promote`);
      return;
    }

    // The branch restarts from base every time, so the PR holds exactly this one change.
    const exists = await client
      .request('GET', `${api}/git/ref/heads/${branch}`)
      .then(() => true)
      .catch((error: unknown) => {
        if (String(error).includes('answered 404')) return false;
        throw error;
      });
    if (exists)
      await client.json('PATCH', `${api}/git/refs/heads/${branch}`, { sha: baseSha, force: true });
    else
      await client.json('POST', `${api}/git/refs`, { ref: `refs/heads/${branch}`, sha: baseSha });

    const title = `Promote ${inputs.modelVersion} to ${inputs.environment}`;
    await client.json('PUT', `${api}/contents/${file}`, {
      message: `${title}\n\nimage: ${inputs.image}`,
      content: Buffer.from(withDesiredState(text, inputs.image, inputs.modelVersion)).toString(
        'base64',
      ),
      sha: current.sha,
      branch,
    });

    const body = [
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
    const open = await client.json<Pull[]>(
      'GET',
      `${api}/pulls?state=open&head=${encodeURIComponent(`${owner}:${branch}`)}&base=${encodeURIComponent(base)}`,
    );
    const pull = open[0]
      ? await client.json<Pull>('PATCH', `${api}/pulls/${open[0].number}`, { title, body })
      : await client.json<Pull>('POST', `${api}/pulls`, { title, head: branch, base, body });
    core.info(`${open[0] ? 'updated' : 'opened'} pull request #${pull.number}`);
    core.setOutput('pull-request-number', String(pull.number));
    core.setOutput('pull-request-url', pull.html_url);
    await core.summary
      .addRaw(`## ${title}\n\n[#${pull.number}](${pull.html_url})\n\n${body}`, true)
      .write();
  });
}
