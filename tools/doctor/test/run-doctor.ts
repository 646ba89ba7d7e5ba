import { spawn } from 'node:child_process';
import { ROOT } from '@housing/test-support/root';

/** What one run of the doctor printed, and its exit code. */
export interface DoctorRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run doctor`'s entry point as a child process, from the checkout
 * (where data.dvc is), with only PATH and `env` in its environment: no
 * GITHUB_TOKEN, DVC_REMOTE_URL or AWS_* leaks in from the shell that runs
 * the tests. Asynchronous, so the loopback GitHub in this process can answer.
 */
export function runDoctor(args: string[], env: Record<string, string>): Promise<DoctorRun> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tools/doctor/src/main.ts', ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The report's lines that start with a status, e.g. `MISSING  environment production: ...`. */
export const linesWith = (run: DoctorRun, status: string) =>
  run.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${status} `));
