import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '@housing/test-support/root';
import { EMULATED } from './third-party.ts';
import { parseWorkflow, type Step } from './workflow.ts';

/** Every step of the four workflows and of the composite pull-data, with where it is. */
function allSteps(): { where: string; step: Step }[] {
  const steps: { where: string; step: Step }[] = [];
  for (const file of ['pr.yml', 'ct.yml', 'deploy.yml', 'image.yml']) {
    const workflow = parseWorkflow(
      file,
      readFileSync(join(ROOT, '.github/workflows', file), 'utf8'),
    );
    for (const [id, job] of Object.entries(workflow.jobs))
      job.steps.forEach((step, i) =>
        steps.push({ where: `${file}:${id}:${step.name ?? i + 1}`, step }),
      );
  }
  const composite = parse(
    readFileSync(join(ROOT, '.github/actions/pull-data/action.yml'), 'utf8'),
  ) as {
    runs: { steps: Step[] };
  };
  composite.runs.steps.forEach((step, i) =>
    steps.push({ where: `pull-data:${step.name ?? i + 1}`, step }),
  );
  return steps;
}

describe('the walk’s allow-list covers every uses: of the workflows, walked or not', () => {
  it('names each third-party action a workflow uses, and each project action has a committed bundle', () => {
    const unknown = allSteps()
      .filter(({ step }) => step.uses !== undefined)
      .filter(({ step }) => {
        const uses = step.uses!;
        if (uses.startsWith('./actions/')) return !existsSync(join(ROOT, uses, 'dist/index.js'));
        if (uses.startsWith('./.github/actions/'))
          return !existsSync(join(ROOT, uses, 'action.yml'));
        return !(uses.replace(/@.*$/, '') in EMULATED);
      })
      .map(({ where, step }) => `${where}: ${step.uses}`);
    expect(unknown).toEqual([]);
  });
});
