import { spawnSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, tempDir } from './helpers.ts';

/**
 * The end of the data loop in ct.yml: a retrain (the relay's dispatch on
 * drift) with no new data merged makes production's own model, byte for
 * byte, so its version (the ONNX bytes' hash) is the one
 * deploy/production.yml names; then the run says so and releases nothing.
 * The step's own script runs here with bash, on a desired-state file.
 */
interface Step {
  id?: string;
  run?: string;
}
interface Job {
  if?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}
const ct = parse(await readFile(join(ROOT, '.github/workflows/ct.yml'), 'utf8')) as {
  jobs: Record<string, Job>;
};
const check = ct.jobs.retrain!.steps.find((s) => s.id === 'production')!;

/** Runs the step's script as the runner would (bash -e) in a checkout holding `production`. */
async function runCheck(production: string, version: string) {
  const dir = await tempDir('ct-identical-');
  await mkdir(join(dir, 'deploy'));
  await writeFile(join(dir, 'deploy/production.yml'), production);
  // The job ran npm ci: the yaml package is there.
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const output = join(dir, 'github-output');
  await writeFile(output, '');
  const result = spawnSync('bash', ['-e', '-c', check.run!], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      VERSION: version,
      TRIGGER: 'workflow_dispatch',
      GITHUB_OUTPUT: output,
    },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, output: await readFile(output, 'utf8') };
}

const desired = (model: string) =>
  `# The desired state of production.\nenvironment: production\nimage: ghcr.io/o/r@sha256:${'a'.repeat(64)}\nmodel_version: ${model}\n`;

describe("ct.yml's release, after a retrain without new data", () => {
  it('is skipped when the retrained model is the one production runs, with a notice that says why', async () => {
    const result = await runCheck(desired('gbdt-0123456789ab'), 'gbdt-0123456789ab');
    expect(result.status).toBe(0);
    expect(result.output).toBe('identical=true\n');
    expect(result.stdout).toMatch(
      /^::notice title=No new model::The retrained model gbdt-0123456789ab is the one production runs \(deploy\/production\.yml\): data\.dvc and the pipeline have not changed since it was trained, so this workflow_dispatch run releases nothing\./,
    );
    expect(ct.jobs.retrain!.outputs?.identical).toBe('${{ steps.production.outputs.identical }}');
    expect(ct.jobs.release!.if).toBe(
      "github.ref == 'refs/heads/main' && needs.retrain.outputs.identical != 'true'",
    );
  });

  it.each([
    ['another model', desired("'gbdt-ffffffffffff'")],
    ['no model yet', desired('null')],
  ])('goes ahead when production runs %s', async (_, production) => {
    const result = await runCheck(production, 'gbdt-0123456789ab');
    expect(result.status).toBe(0);
    expect(result.output).toBe('identical=false\n');
    expect(result.stdout).toBe('');
  });
});
