/**
 * A program npm started ends when npm is gone. npm passes on SIGINT and
 * SIGTERM but not SIGHUP: `kill -HUP` on `npm start` (or a closed terminal)
 * ended npm and left the server serving, reparented to init. Any runCli
 * program started by npm (npm_lifecycle_event set) now watches its parent.
 * The relay stands in for every such program here: it serves until stopped.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a program started by npm', () => {
  it('ends when npm (its parent) is killed, instead of running on reparented', async () => {
    // The parent stands in for npm: it starts the program as npm does (same
    // environment variable), reports the program's pid, and is then killed.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         const child = spawn(process.execPath, ['--import', 'tsx', 'relay/src/main.ts'], { stdio: ['ignore', 'ignore', 'pipe'] });
         child.stderr.on('data', (d) => { if (String(d).includes('listening')) process.stdout.write(child.pid + '\\n'); });
         setInterval(() => {}, 1000);`,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          npm_lifecycle_event: 'relay',
          PORT: '0',
          RELAY_TOKEN: 'relay-token-0123456789abcdef',
          GITHUB_TOKEN: 'ghs_unused',
          GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
        },
      },
    );
    const pid = await new Promise<number>((done, fail) => {
      parent.stdout.once('data', (d: Buffer) => done(Number(String(d).trim())));
      parent.once('exit', () => fail(new Error('the parent ended before the program listened')));
    }).catch((error: unknown) => {
      parent.kill('SIGKILL');
      throw error;
    });
    expect(isRunning(pid)).toBe(true);
    parent.kill('SIGKILL');
    // Polls until the program is gone; a program that outlives its parent
    // fails here (vitest's timeout), and is then stopped by pid.
    try {
      for (let i = 0; i < 200 && isRunning(pid); i++)
        await new Promise((done) => setTimeout(done, 100));
      expect(isRunning(pid)).toBe(false);
    } finally {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
