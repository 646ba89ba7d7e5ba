import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDockerfile, type Dockerfile } from '@housing/test-support/dockerfile';
import { ROOT } from '@housing/test-support/service';

let file: Dockerfile;

beforeAll(async () => {
  file = await readDockerfile(join(ROOT, 'relay/Dockerfile'));
  const build = spawnSync('npm', ['run', '--silent', 'build:relay'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build:relay failed: ${build.stderr}`);
}, 60_000);

describe('relay/Dockerfile, checked statically and its command run on the host (the real image: test/containers)', () => {
  it('copies only files that exist, runs as node, and has a HEALTHCHECK on /healthz', () => {
    for (const source of file.copySources())
      expect(existsSync(join(ROOT, source)), source).toBe(true);
    expect(file.last('USER').args).toBe('node');
    expect(file.healthcheck().join(' ')).toContain('/healthz');
  });

  it("starts from the image's exact CMD with its bundle alone, passes its HEALTHCHECK, and exits 0 on SIGTERM", async () => {
    const cmd = JSON.parse(file.last('CMD').args) as string[];
    expect(cmd).toEqual(['node', 'relay/dist/main.mjs']);
    const env = {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      RELAY_TOKEN: 'relay-token-0123456789abcdef',
      GITHUB_TOKEN: 'ghs_unused',
      GITHUB_REPOSITORY: 'housing-mlops/housing-mlops',
    };
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const port = await new Promise<number>((done, fail) => {
        createInterface({ input: child.stderr }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && entry.port) done(entry.port);
        });
        void exited.then((code) => fail(new Error(`exited with ${code}`)));
      });
      const check = file.healthcheck();
      const health = spawnSync(check[0]!, check.slice(1), { env: { ...env, PORT: String(port) } });
      expect(health.status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('fails fast on bad config with the variables named, no stack trace', () => {
    const run = spawnSync(process.execPath, ['relay/dist/main.mjs'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', GITHUB_REPOSITORY: 'x' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^error: invalid configuration:\n {2}RELAY_TOKEN \(or RELAY_TOKEN_FILE\) is required\n/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
