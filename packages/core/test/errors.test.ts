import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './temp-dir.ts';
import {
  CommandError,
  ConfigurationError,
  formatLocation,
  GitHubApiError,
  MAX_ERROR_MESSAGE_CHARS,
} from '@housing/core/errors';

describe('formatLocation', () => {
  it('writes file, line and column as editors read them, then the path', () => {
    expect(formatLocation({ file: 'params.yaml', line: 12, column: 3, path: '/gate/metric' })).toBe(
      'params.yaml:12:3 /gate/metric',
    );
    expect(formatLocation({ file: 'data.dvc', line: 4 })).toBe('data.dvc:4');
    expect(formatLocation({ file: 'data.dvc' })).toBe('data.dvc');
    // A column means nothing without its line.
    expect(formatLocation({ file: 'data.dvc', column: 9 })).toBe('data.dvc');
    expect(formatLocation({ path: 'DVC_REMOTE_URL' })).toBe('DVC_REMOTE_URL');
    expect(formatLocation({})).toBe('');
  });
});

describe('ConfigurationError', () => {
  it('puts a structured location before the message and keeps it as fields', () => {
    const error = new ConfigurationError('invalid YAML: bad indent', {
      file: 'dvc.yaml',
      line: 7,
      column: 2,
    });
    expect(error.message).toBe('dvc.yaml:7:2: invalid YAML: bad indent');
    expect(error.where).toBe('dvc.yaml:7:2');
    expect(error.problems).toEqual([
      { message: 'invalid YAML: bad indent', file: 'dvc.yaml', line: 7, column: 2 },
    ]);
    expect(error.name).toBe('ConfigurationError');
  });

  it('takes a place as text, as a path, or none', () => {
    const flag = new ConfigurationError('must be a number', '--seed');
    expect(flag.message).toBe('--seed: must be a number');
    expect(flag.problems).toEqual([{ message: 'must be a number', path: '--seed' }]);
    const bare = new ConfigurationError('nothing to do');
    expect(bare.message).toBe('nothing to do');
    expect(bare.where).toBeUndefined();
    expect(bare.problems).toEqual([{ message: 'nothing to do' }]);
  });

  it('carries every problem when there are several', () => {
    const problems = [
      { message: 'gate.metric is required', file: 'params.yaml', line: 3 },
      { message: 'seed must be a number', file: 'params.yaml', line: 9 },
    ];
    const error = new ConfigurationError('invalid parameters', 'params.yaml', problems);
    expect(error.problems).toEqual(problems);
  });

  it('cuts a message that quotes huge input', () => {
    const error = new ConfigurationError(`bad value ${'x'.repeat(10_000)}`, 'data.csv:2');
    expect(error.message.length).toBeLessThan(MAX_ERROR_MESSAGE_CHARS + 40);
    expect(error.message).toMatch(/… \(\+[\d,]+ characters\)$/);
  });
});

describe('CommandError', () => {
  it('names the command, its exit code, what it was for and the end of its stderr', () => {
    const error = new CommandError(['sh', '-c', 'exit 3'], 3, 'boom\n', null, "stage 'train'");
    expect(error.message).toBe("stage 'train': sh -c exit 3 exited 3: boom");
    expect(error).toMatchObject({ exitCode: 3, stderr: 'boom\n', signal: null });
    expect(error.name).toBe('CommandError');
  });

  it('names the signal that ended it, and keeps only the end of a long stderr', () => {
    const killed = new CommandError(['dvc', 'pull'], null, '', 'SIGKILL');
    expect(killed.message).toBe('dvc pull was killed by SIGKILL');
    const long = new CommandError(['git', 'push'], 1, `${'a'.repeat(10_000)}END`);
    expect(long.message.endsWith('END')).toBe(true);
    expect(long.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + 40);
  });
});

describe('GitHubApiError', () => {
  it('keeps the status as a field, so "not found" is told apart without reading text', () => {
    const error = new GitHubApiError('GET', '/repos/o/r/releases/tags/v1', 404, 'x'.repeat(500));
    expect(error.status).toBe(404);
    expect(error.message).toMatch(
      /^GitHub API GET \/repos\/o\/r\/releases\/tags\/v1 answered 404: x+$/,
    );
    expect(error.message.length).toBeLessThan(400);
  });
});

/** A core source file as a URL: the script lives in a temp folder, outside the workspaces. */
const source = (name: string) => pathToFileURL(join(import.meta.dirname, '..', 'src', name)).href;

describe('runCli exit codes', () => {
  const tempDir = useTempDir('core-run-cli-');

  /** Runs a CLI whose main throws what `body` builds, as node with tsx. */
  async function runThrowing(body: string) {
    const script = join(tempDir(), `cli-${Math.random().toString(36).slice(2)}.ts`);
    await writeFile(
      script,
      [
        `import { runCli } from ${JSON.stringify(source('run-cli.ts'))};`,
        `import { CommandError, ConfigurationError } from ${JSON.stringify(source('errors.ts'))};`,
        `runCli(async () => { ${body} });`,
      ].join('\n'),
    );
    // From the repository root, where `--import tsx` resolves.
    return spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      encoding: 'utf8',
      env: { ...process.env, npm_lifecycle_event: '' },
    });
  }

  it('exits 2 for a ConfigurationError, printing its message only', async () => {
    const run = await runThrowing(
      "throw new ConfigurationError('bad value', { file: 'params.yaml', line: 4 });",
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('error: params.yaml:4: bad value\n');
  });

  it('exits 1 for a CommandError, without a stack trace', async () => {
    const run = await runThrowing("throw new CommandError(['dvc', 'pull'], 1, 'no remote');");
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: dvc pull exited 1: no remote\n');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 with the stack for anything else: a bug to report', async () => {
    const run = await runThrowing("throw new Error('oops');");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^internal error: Error: oops\n\s+at /);
  });
});
