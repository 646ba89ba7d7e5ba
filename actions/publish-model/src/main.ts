import { readFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { readModelCard } from '@housing/model-card/read';
import { currentRepo, gitHub } from '@housing/github/client';
import { stringInput } from '../../shared/inputs.ts';
import { runAction } from '../../shared/run.ts';
import { nextTag, releaseNotes, versionMarker } from './release.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  modelPath: string;
  cardPath: string;
  metricsPath: string;
  tagPrefix: string;
  githubToken: string;
}

export function getInputs(): Inputs {
  const inputs = {
    modelPath: stringInput('model-path', 'artifacts/model.onnx'),
    cardPath: stringInput('card-path', 'artifacts/model.card.json'),
    metricsPath: stringInput('metrics-path', 'reports/metrics.json'),
    tagPrefix: stringInput('tag-prefix', 'model-v'),
    githubToken: stringInput('github-token'),
  };
  core.setSecret(inputs.githubToken);
  return inputs;
}

/** Creates the model's release with its assets, or finds the one that already holds it. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const card = await readModelCard(inputs.cardPath);
    // Read every asset before touching GitHub: a missing file must not leave a half-made release.
    const assets = [
      { name: 'model.onnx', path: inputs.modelPath, type: 'application/octet-stream' },
      { name: 'model.card.json', path: inputs.cardPath, type: 'application/json' },
      { name: 'metrics.json', path: inputs.metricsPath, type: 'application/json' },
    ];
    const bytes = await Promise.all(assets.map((a) => readFile(a.path)));

    const github = gitHub(inputs.githubToken);
    const repo = currentRepo();
    const releases = await github.paginate(github.rest.repos.listReleases, {
      ...repo,
      per_page: 100,
    });
    const existing = releases.find((r) => r.body?.includes(versionMarker(card.model_version)));
    if (existing) {
      core.info(`${card.model_version} is already released as ${existing.tag_name}: nothing to do`);
      core.setOutput('tag', existing.tag_name);
      core.setOutput('release-url', existing.html_url);
      core.setOutput('created', 'false');
      return;
    }

    const tag = nextTag(releases, inputs.tagPrefix);
    const release = await core.group(`Create release ${tag}`, async () => {
      const { data } = await github.rest.repos.createRelease({
        ...repo,
        tag_name: tag,
        ...(context.sha ? { target_commitish: context.sha } : {}),
        name: `${tag} (${card.model_version})`,
        body: releaseNotes(card),
        draft: false,
        prerelease: false,
      });
      return data;
    });
    await core.group('Upload assets', async () => {
      for (const [i, asset] of assets.entries()) {
        await github.rest.repos.uploadReleaseAsset({
          ...repo,
          release_id: release.id,
          // The release's own upload URL: uploads go to another host than the API.
          url: release.upload_url,
          name: asset.name,
          // Octokit sends a Buffer as it is; its type only names the string form.
          data: bytes[i]! as unknown as string,
          headers: { 'content-type': asset.type, 'content-length': bytes[i]!.length },
        });
        core.info(`${asset.name}: ${bytes[i]!.length} bytes`);
      }
    });
    core.setOutput('tag', tag);
    core.setOutput('release-url', release.html_url);
    core.setOutput('created', 'true');
    await core.summary
      .addRaw(`## Published [${tag}](${release.html_url})\n\n${releaseNotes(card)}`, true)
      .write();
  });
}
