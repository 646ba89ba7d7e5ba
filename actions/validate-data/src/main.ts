import * as core from '@actions/core';
import { loadStageConfig } from '@housing/pipeline/stage-config';
import { resolveDriftReference } from '@housing/pipeline/reference';
import { writeJsonAtomic } from '@housing/core/atomic';
import { validateCsv } from '@housing/pipeline/validate';
import { annotate } from '../../shared/annotations.ts';
import { integerInput, stringInput } from '../../shared/inputs.ts';
import { runAction } from '../../shared/run.ts';
import { problemTotal, reportProblems, validationSummary } from './report.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  data: string | undefined;
  params: string;
  reference: string | undefined;
  reportPath: string;
  maxAnnotations: number;
}

export function getInputs(): Inputs {
  return {
    data: core.getInput('data') || undefined,
    params: stringInput('params', 'params.yaml'),
    reference: core.getInput('reference') || undefined,
    reportPath: stringInput('report-path', 'reports/validation.json'),
    maxAnnotations: integerInput('max-annotations', 50),
  };
}

/** Validates the data, annotates its bad rows, and writes the summary and outputs. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const { params, contract } = await loadStageConfig(inputs.params);
    const data = inputs.data ?? params.data.path;
    // An unusable reference fails the validation; only a first run skips drift.
    const reference = await core.group('Reference profile', async () => {
      const found = await resolveDriftReference({
        given:
          inputs.reference === undefined
            ? undefined
            : { path: inputs.reference, from: "input 'reference'" },
        configured: {
          path: params.validate.reference,
          from: `${inputs.params} validate.reference`,
        },
        columns: contract.columns,
      });
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
