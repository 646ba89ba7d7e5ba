import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import { writeFileAtomic } from '@housing/core/atomic';
import { stringInput } from '../../shared/inputs.ts';
import { fetchProductionModel, MODEL_ASSET } from '../../shared/production-model.ts';
import { runAction } from '../../shared/run.ts';

/** Fetches production's model into `dir`; see action.yml. */
export function run(): Promise<void> {
  return runAction(async () => {
    const githubToken = core.getInput('github-token');
    if (githubToken) core.setSecret(githubToken);
    const desiredState = stringInput('desired-state', 'deploy/production.yml');
    const dir = stringInput('dir', 'models/production');
    const model = await fetchProductionModel({ desiredState, assets: [MODEL_ASSET], githubToken });
    if (model.kind === 'none') {
      core.notice(`${desiredState} names no model yet: nothing fetched`);
      core.setOutput('release', '');
      core.setOutput('model-version', '');
      return;
    }
    await mkdir(dir, { recursive: true });
    // Atomic, each: a half-written graph must never be baked into an image.
    for (const [name, path] of Object.entries(model.files))
      await writeFileAtomic(join(dir, name), await readFile(path));
    core.info(
      `${desiredState} names ${model.modelVersion}: ${Object.keys(model.files).join(' and ')} of release ${model.tag} are in ${dir}`,
    );
    core.setOutput('release', model.tag);
    core.setOutput('model-version', model.modelVersion);
  });
}
