import * as core from '@actions/core';
import { ConfigurationError } from '@housing/core/errors';
import { annotate } from '../../shared/annotations.ts';
import { integerInput, stringInput } from '../../shared/inputs.ts';
import { markdownTable, STATUS_MARK } from '@housing/github/markdown';
import { runAction } from '../../shared/run.ts';
import { checkActionMetadata } from './checks/action-metadata.ts';
import type { Check, CheckResult } from './checks/check.ts';
import { checkDashboards } from './checks/dashboards.ts';
import { checkEslint } from './checks/eslint.ts';
import { checkPipelineConfig } from './checks/pipeline-config.ts';
import { checkPrettier } from './checks/prettier.ts';
import { checkPrometheus } from './checks/prometheus.ts';
import { checkTypes } from './checks/tsc.ts';
import { checkWorkflows } from './checks/workflows.ts';

/** Every check, by the name the `checks` input uses, in the order they run. */
export const CHECKS: Record<string, Check> = {
  eslint: checkEslint,
  prettier: checkPrettier,
  types: checkTypes,
  workflows: checkWorkflows,
  actions: checkActionMetadata,
  'pipeline-config': checkPipelineConfig,
  prometheus: checkPrometheus,
  dashboards: checkDashboards,
};

/** The inputs of action.yml, read once. */
export interface Inputs {
  checks: string[];
  maxAnnotations: number;
}

export function getInputs(): Inputs {
  const requested = stringInput('checks', 'all');
  const checks =
    requested === 'all'
      ? Object.keys(CHECKS)
      : requested
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean);
  const unknown = checks.filter((c) => !(c in CHECKS));
  if (unknown.length > 0)
    throw new ConfigurationError(
      `input 'checks': unknown ${unknown.join(', ')} (known: ${Object.keys(CHECKS).join(', ')}, or all)`,
    );
  return { checks, maxAnnotations: integerInput('max-annotations', 50) };
}

/** Runs the checks, annotates every problem, and fails when there is one. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const root = process.cwd();
    const results: CheckResult[] = [];
    for (const name of inputs.checks)
      results.push(
        await core.group(name, async () => {
          const result = await CHECKS[name]!(root);
          core.info(
            result.skipped ? `skipped: ${result.skipped}` : `${result.problems.length} problem(s)`,
          );
          return result;
        }),
      );
    for (const r of results) if (r.skipped) core.notice(`${r.name}: skipped: ${r.skipped}`);

    const problems = results.flatMap((r) => r.problems);
    annotate(problems, inputs.maxAnnotations);
    const errors = problems.filter((p) => p.severity !== 'warning');
    await core.summary
      .addRaw(
        [
          `## Lint: ${errors.length === 0 ? STATUS_MARK.pass : STATUS_MARK.fail}`,
          markdownTable(
            ['check', 'result', 'problems'],
            results.map((r) => [
              r.name,
              r.skipped
                ? `skipped: ${r.skipped}`
                : r.problems.some((p) => p.severity !== 'warning')
                  ? STATUS_MARK.fail
                  : STATUS_MARK.pass,
              r.problems.length,
            ]),
          ),
        ].join('\n\n'),
        true,
      )
      .write();
    core.setOutput('problems', String(problems.length));
    if (errors.length > 0)
      core.setFailed(`lint found ${errors.length} problem(s); see the annotations`);
  });
}
