import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readDockerfile,
  type Dockerfile,
  type Instruction,
} from '@housing/test-support/dockerfile';
import { removeDir, ROOT, trainModel } from '@housing/test-support/service';

let file: Dockerfile;
let dockerfile: Instruction[];
let modelDir: string;

beforeAll(async () => {
  file = await readDockerfile(join(ROOT, 'service/Dockerfile'));
  dockerfile = file.instructions;
  modelDir = await trainModel();
  const build = spawnSync('npm', ['run', '--silent', 'build:service'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build:service failed: ${build.stderr}`);
}, 120_000);
afterAll(() => removeDir(modelDir));

const last = (op: string) => file.last(op);
const runtimeEnv = () =>
  Object.fromEntries(
    dockerfile
      .filter((i) => i.op === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
  );

describe('service/Dockerfile, checked statically and its command run on the host (the real image: test/containers)', () => {
  it('is multi-stage, runs as a non-root user, and has a HEALTHCHECK on /healthz', () => {
    expect(dockerfile.filter((i) => i.op === 'FROM').length).toBeGreaterThanOrEqual(3);
    expect(last('USER').args).toBe('node');
    expect(last('HEALTHCHECK').args).toContain('/healthz');
    expect(dockerfile.some((i) => i.op === 'RUN' && i.args.includes('--omit=dev'))).toBe(true);
  });

  it('copies only files that exist or that the pipeline produces', () => {
    for (const source of file.copySources()) {
      if (source.startsWith('models/production/')) continue; // written by npm start / the CT workflow
      expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
  });

  it('gives npm ci every workspace manifest the lockfile names, past .dockerignore', async () => {
    const { workspaces } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      workspaces: string[];
    };
    const copied = dockerfile
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .map((i) => i.args.split(/\s+/)[0]);
    const ignore = await readFile(join(ROOT, '.dockerignore'), 'utf8');
    for (const workspace of workspaces) {
      const manifest = `${workspace}/package.json`;
      // Two stages run npm ci (build and deps): both need it.
      expect(
        copied.filter((c) => c === manifest),
        manifest,
      ).toHaveLength(2);
      expect(ignore.split('\n'), manifest).toContain(`!${manifest}`);
    }
  });

  it("starts from the image's exact CMD, answers /readyz, and passes its own HEALTHCHECK", async () => {
    const cmd = JSON.parse(last('CMD').args) as string[];
    expect(cmd).toEqual(['node', 'service/dist/main.mjs']);
    // The image's environment, with loopback, a free port and the test's model in place of /app's.
    const env = {
      ...process.env,
      ...runtimeEnv(),
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_DIR: modelDir,
      // The image's /app/var/prediction-log does not exist here: the bundle's store
      // thread (store-worker.mjs) opens the embedded log in the model's copy instead.
      PREDICTION_LOG_DIR: join(modelDir, 'prediction-log'),
    };
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const port = await new Promise<number>((done, fail) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          if (entry.msg === 'listening' && entry.port) done(entry.port);
        });
        void exited.then((code) => fail(new Error(`exited with ${code}`)));
      });
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(runtimeEnv().PREDICTION_LOG_DIR).toBe('/app/var/prediction-log');
      const check = file.healthcheck();
      const health = spawnSync(check[0]!, check.slice(1), {
        env: { ...env, PORT: String(port) },
        encoding: 'utf8',
      });
      expect(health.status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
