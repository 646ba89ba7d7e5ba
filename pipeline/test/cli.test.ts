/**
 * Every command line answers `--help` and `-h` with its usage and exit 0, and
 * does nothing else; an unknown flag exits 2 and names the flag. Each CLI runs
 * for real, as a child process, from an empty folder (so anything it writes
 * would show) and with MODEL_DIR at an empty folder (so nothing can start).
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

/** Each CLI: its npm script and its entry point, relative to the root. */
const CLIS = [
  ['start', 'pipeline/src/cli/main.ts'],
  ['data:pull', 'pipeline/src/cli/pull.ts'],
  ['data:refresh', 'pipeline/src/cli/refresh.ts'],
  ['pipeline', 'pipeline/src/cli/repro.ts'],
  ['validate', 'pipeline/src/cli/validate.ts'],
  ['train', 'pipeline/src/cli/train.ts'],
  ['evaluate', 'pipeline/src/cli/evaluate.ts'],
  ['gate', 'pipeline/src/cli/gate.ts'],
  ['stack', 'monitoring/src/cli/stack.ts'],
  ['rules:runbook', 'monitoring/src/cli/runbook-urls.ts'],
  // The benchmark BENCHMARKS.md tells users to run: --help started it.
  ['bench:pipeline', 'pipeline/bench/pipeline.bench.ts'],
  ['bench:profile', 'pipeline/bench/profile.ts'],
] as const;

/** Node's flags to run TypeScript from any folder (a bare `tsx` resolves from the cwd). */
const TSX = ['--import', import.meta.resolve('tsx')];

/** Runs a command to completion in `cwd`; no shell. */
function run(command: string, args: string[], cwd: string, env: Record<string, string>) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env },
    // A CLI that ignored --help and started serving would never end: stop it.
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The flag names a usage text lists under "flags:", each with its description. */
function listedFlags(usage: string): Map<string, string> {
  const flags = new Map<string, string>();
  const table = usage.split('\nflags:\n')[1] ?? '';
  for (const line of table.split('\n')) {
    const match = /^ {2}(?:-h, )?(--[a-z-]+)(?: <[^>]+>)? {2,}(\S.*)$/.exec(line);
    if (match) flags.set(match[1]!, match[2]!);
  }
  return flags;
}

describe('--help on every command line', () => {
  for (const [script, entry] of CLIS) {
    it(`${script}: --help and -h print the usage on stdout, exit 0, and write nothing`, async () => {
      const cwd = await tempDir('cli-help-');
      const modelDir = await tempDir('cli-help-model-');
      for (const flag of ['--help', '-h']) {
        const { status, stdout, stderr } = run(
          process.execPath,
          [...TSX, join(ROOT, entry), flag],
          cwd,
          { MODEL_DIR: modelDir, PORT: '0' },
        );
        expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
        expect(stdout).toMatch(/^usage: npm (start|run \S+)/);
        const flags = listedFlags(stdout);
        expect(flags.get('--help')).toBe('print this help and exit');
        for (const [name, description] of flags)
          expect(description.length, `${name} has a description`).toBeGreaterThan(10);
      }
      expect(await readdir(cwd)).toEqual([]);
      expect(await readdir(modelDir)).toEqual([]);
    });

    it(`${script}: an unknown flag exits 2 and names it`, async () => {
      const cwd = await tempDir('cli-bad-flag-');
      const { status, stdout, stderr } = run(
        process.execPath,
        [...TSX, join(ROOT, entry), '--no-such-flag'],
        cwd,
        { MODEL_DIR: await tempDir('cli-bad-flag-model-') },
      );
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/unknown (flag|option) '--no-such-flag'/i);
      expect(stderr).not.toContain('    at ');
      expect(await readdir(cwd)).toEqual([]);
    });
  }

  for (const script of ['start', 'stack'] as const) {
    it(`npm ${script === 'start' ? 'start' : 'run stack'} -- --help reaches the CLI through npm`, async () => {
      const args =
        script === 'start' ? ['start', '--', '--help'] : ['run', 'stack', '--', '--help'];
      const modelDir = await tempDir('cli-npm-help-');
      const { status, stdout } = run('npm', ['--silent', ...args], ROOT, {
        MODEL_DIR: modelDir,
        PORT: '0',
      });
      expect(status).toBe(0);
      expect(stdout).toContain(`usage: npm ${script === 'start' ? 'start' : 'run stack'}`);
      expect(await readdir(modelDir)).toEqual([]);
    });
  }
});
