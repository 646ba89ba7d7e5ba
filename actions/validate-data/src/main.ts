import * as core from '@actions/core';
import { loadStageConfig } from '@housing/pipeline/stage-config';
import { resolveDriftReference, type DriftReference } from '@housing/pipeline/reference';
import { writeJsonAtomic } from '@housing/core/atomic';
import { validateCsv } from '@housing/pipeline/validate';
import { annotate } from '../../shared/annotations.ts';
import { integerInput, stringInput } from '../../shared/inputs.ts';
import { CARD_ASSET, fetchProductionModel } from '../../shared/production-model.ts';
import { runAction } from '../../shared/run.ts';
import { problemTotal, reportProblems, validationSummary } from './report.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  data: string | undefined;
  params: string;
  /** `production`, or the path of a card. */
  reference: string;
  desiredState: string;
  reportPath: string;
  maxAnnotations: number;
  githubToken: string;
}

export function getInputs(): Inputs {
  const inputs: Inputs = {
    data: core.getInput('data') || undefined,
    params: stringInput('params', 'params.yaml'),
    reference: stringInput('reference', 'production'),
    desiredState: stringInput('desired-state', 'deploy/production.yml'),
    reportPath: stringInput('report-path', 'reports/validation.json'),
    maxAnnotations: integerInput('max-annotations', 50),
    githubToken: core.getInput('github-token'),
  };
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  return inputs;
}

/**
 * The reference profile drift is measured against: the card of the model
 * production runs (the release deploy/production.yml's model_version names,
 * the same the metric gate compares with), or a given card. Drift fails
 * closed: a card that cannot be fetched fails the job naming its release and
 * asset, and one that cannot be used fails the validation. Only when
 * production names no model yet is drift skipped, with a notice.
 */
async function driftReference(
  inputs: Inputs,
  configured: { path: string; from: string },
  columns: Parameters<typeof resolveDriftReference>[0]['columns'],
): Promise<DriftReference> {
  if (inputs.reference !== 'production')
    return resolveDriftReference({
      given: { path: inputs.reference, from: "input 'reference'" },
      configured,
      columns,
    });
  const production = await fetchProductionModel({
    desiredState: inputs.desiredState,
    assets: [CARD_ASSET],
    githubToken: inputs.githubToken,
  });
  if (production.kind === 'none') {
    const message = `no production model yet (${inputs.desiredState} names no model_version)`;
    core.notice(`drift: skipped, ${message}`);
    return { info: { path: null, status: 'skipped', message } };
  }
  return resolveDriftReference({
    given: {
      path: production.files[CARD_ASSET]!,
      from: `release ${production.tag} asset ${CARD_ASSET}, model ${production.modelVersion}`,
    },
    configured,
    columns,
  });
}

/** Validates the data, annotates its bad rows, and writes the summary and outputs. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const { params, contract } = await loadStageConfig(inputs.params);
    const data = inputs.data ?? params.data.path;
    // An unusable reference fails the validation; only a first run skips drift.
    const reference = await core.group('Reference profile', async () => {
      const found = await driftReference(
        inputs,
        { path: params.validate.reference, from: `${inputs.params} validate.reference` },
        contract.columns,
      );
      core.info(`drift reference: ${found.info.status}, ${found.info.message}`);
      return found;
    });
    const report = await core.group(`Validate ${data}`, () =>
      validateCsv(data, {
        contract,
        drift: params.validate.drift,
        maxRowErrors: inputs.maxAnnotations,
        referenceInfo: reference.info,
        reference: reference.profile,
      }),
    );
    await writeJsonAtomic(inputs.reportPath, report);

    const problems = reportProblems(report);
    annotate(problems, inputs.maxAnnotations, problemTotal(report));
    await core.summary.addRaw(validationSummary(report), true).write();

    core.setOutput('status', report.status);
    core.setOutput('report-path', inputs.reportPath);
    const failed = report.checks.filter((c) => c.status === 'fail');
    if (report.status === 'fail')
      core.setFailed(`data validation failed: ${failed.map((c) => c.name).join(', ')}`);
  });
}
