import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '@housing/test-support/service';
import { startUnreliableGitHub, type UnreliableGitHub } from './unreliable-github.ts';

const RELAY_TOKEN = 'relay-token-0123456789abcdef';
const ENV = {
  PATH: process.env.PATH ?? '',
  HOST: '127.0.0.1',
  PORT: '0',
  RELAY_TOKEN,
  GITHUB_TOKEN: 'ghs_unused',
  GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
};
const MAIN = ['--import', 'tsx', 'relay/src/main.ts'];

/**
 * Runs `npm run relay -- ...args` as npm does (tsx main.ts), to its end. A
 * relay that starts serving instead of exiting is killed, so that the test
 * fails on its exit status rather than hanging.
 */
const runRelay = (args: string[], env: Record<string, string> = ENV) =>
  spawnSync(process.execPath, [...MAIN, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
  });

describe('the relay as a process: its command line and its configuration', () => {
  it('prints its usage and environment variables for --help, and exits 0 without starting', () => {
    for (const flag of ['--help', '-h']) {
      // With no configuration at all: --help must not need any.
      const run = runRelay([flag], { PATH: ENV.PATH });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^usage: npm run relay/);
      for (const variable of [
        'RELAY_TOKEN',
        'GITHUB_TOKEN',
        'GITHUB_REPOSITORY',
        'RETRAIN_WORKFLOW',
        'RETRAIN_REF',
        'GITHUB_API_URL',
        'GITHUB_TIMEOUT_MS',
        'SHUTDOWN_TIMEOUT_MS',
        'COOLDOWN_SECONDS',
        'HOST',
        'PORT',
      ])
        expect(run.stdout).toContain(variable);
      expect(run.stderr).not.toContain('listening');
    }
  });

  it('refuses an unknown argument, naming it (exit 2)', () => {
    for (const [arg, named] of [
      ['--port=1', '--port'],
      ['serve', 'serve'],
      ['-x', '-x'],
    ] as const) {
      const run = runRelay([arg]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/^error: /);
      expect(run.stderr).toContain(`'${named}'`);
      expect(run.stderr).toContain('usage: npm run relay');
      expect(run.stderr).not.toContain('listening');
    }
  });

  it('a port in use or a HOST that is not this machine ends in one line naming the variable (exit 2)', async () => {
    // Both ended in "internal error: Error: listen EADDRINUSE ..." and a stack.
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as AddressInfo;
    try {
      for (const [env, named] of [
        [{ PORT: String(port) }, `PORT="${port}"`],
        [{ HOST: '192.0.2.1' }, 'HOST="192.0.2.1"'],
        [{ HOST: 'no-such-host.invalid' }, 'HOST="no-such-host.invalid"'],
      ] as const) {
        const run = runRelay([], { ...ENV, ...env });
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`^error: ${named}: `));
        expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      }
    } finally {
      await new Promise<void>((done) => taken.close(() => done()));
    }
  });

  it('fails fast on a bad GITHUB_API_URL, naming the variable (exit 2, no stack trace)', () => {
    const run = runRelay([], { ...ENV, GITHUB_API_URL: 'https://user:secret@api.github.com' });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /^error: invalid configuration:\n {2}GITHUB_API_URL: must not contain credentials/,
    );
    // The credentials of a URL are never echoed back.
    expect(run.stderr).not.toContain('secret');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the relay as a process: SIGTERM while GitHub hangs', () => {
  let github: UnreliableGitHub;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    github = await startUnreliableGitHub();
  });
  afterEach(() => {
    // Runs after a timeout too: the relay never outlives its test.
    if (child?.pid && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
  });
  afterAll(async () => {
    await github.close();
  });

  it('answers the hanging webhook 503 and exits 0, without waiting for GitHub', async () => {
    github.mode = 'hang';
    const relay = spawn(process.execPath, MAIN, {
      cwd: ROOT,
      env: {
        ...ENV,
        GITHUB_API_URL: github.url,
        // Far beyond the test's timeout: only the shutdown can end the call.
        GITHUB_TIMEOUT_MS: '600000',
        SHUTDOWN_TIMEOUT_MS: '200',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = relay;
    const exited = new Promise<number | null>((done) => relay.once('exit', (code) => done(code)));
    const port = await new Promise<number>((done, fail) => {
      createInterface({ input: relay.stderr }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) done(entry.port);
      });
      void exited.then((code) => fail(new Error(`exited with ${code}`)));
    });
    const answer = fetch(`http://127.0.0.1:${port}/v1/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY_TOKEN}`, 'content-type': 'application/json' },
      body: await readFile(join(import.meta.dirname, 'payloads', 'firing-drift.json'), 'utf8'),
    });
    await github.waitForRequests(1);
    process.kill(relay.pid!, 'SIGTERM');
    const res = await answer;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/shutting down/);
    expect(await exited).toBe(0);
    expect(github.dispatches).toEqual([]);
  }, 30_000);
});
