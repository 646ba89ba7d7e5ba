import * as core from '@actions/core';
import { currentRepo } from '@housing/github/client';
import { runAction } from '../../shared/run.ts';
import { Compose } from './compose.ts';
import { findCompose } from './find-compose.ts';
import { execProgram } from '../../shared/exec.ts';
import { refuseOtherEvents } from './event.ts';
import { getInputs } from './inputs.ts';
import { verifyProvenance } from './provenance.ts';
import { withRegistryLogin } from './registry-login.ts';
import { readRecord } from './state.ts';
import {
  alreadyRuns,
  deployAndVerify,
  failAndRollBack,
  goLive,
  openDeployment,
  refuseRolledBack,
  reportUnchanged,
  type DeployContext,
} from './steps.ts';

/** Deploys, verifies, and rolls back on any failure; see action.yml. */
export function run(): Promise<void> {
  return runAction(async () => {
    // Before anything else: a deploy runs only what the default branch says.
    refuseOtherEvents();
    const inputs = await getInputs();
    // For the job's environment: url (deploy.yml), whatever happens next.
    core.setOutput('url', inputs.url);
    if (!inputs.target) {
      core.info(`nothing is promoted to ${inputs.environment} yet: nothing to deploy`);
      return reportUnchanged();
    }
    const command = await findCompose(async (program, args) =>
      execProgram(program, args, { okCodes: 'any', quietStdout: true }),
    );
    core.info(`Compose ${command.version}: ${[command.program, ...command.prefix].join(' ')}`);
    const compose = new Compose(command, {
      file: inputs.composeFile,
      service: inputs.service,
      projectName: inputs.projectName,
      envFile: inputs.envFile,
    });
    core.info(
      `Compose project ${inputs.projectName}${inputs.envFile ? `, env file ${inputs.envFile}` : ''}`,
    );
    const record = await readRecord(inputs.stateDir, inputs.environment);
    const running = await compose.runningImage();
    const ctx: DeployContext = {
      inputs,
      ...inputs.target,
      compose,
      record,
      running,
      runningVersion: running === record.image ? record.model_version : null,
    };
    core.info(`${inputs.environment} runs ${running ?? 'nothing'} now`);
    if (await alreadyRuns(ctx)) {
      core.info(`${ctx.image} (${ctx.modelVersion}) already runs: nothing to do`);
      return reportUnchanged({ runningImage: ctx.image, modelVersion: ctx.modelVersion });
    }
    refuseRolledBack(ctx);

    // One login for both: gh reads the image's manifest with docker's credentials.
    await withRegistryLogin(inputs.registry, async () => {
      // A failed verification throws here: nothing pulled, started or recorded, no Deployment.
      if (inputs.verifyProvenance)
        await verifyProvenance(ctx.image, currentRepo(), inputs.githubToken);
      else
        core.warning(
          `verify-provenance is false: the build provenance of ${ctx.image} is not checked (meant only for this repository's loopback tests)`,
        );
      const opened = await openDeployment(ctx);
      try {
        await goLive(ctx, opened, await deployAndVerify(ctx));
      } catch (error) {
        await failAndRollBack(ctx, opened, error);
      }
    });
  });
}
