import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { runAction, type ActionRun } from '@housing/actions/harness';
import {
  freePort,
  startProcess,
  waitForHttp,
  type ManagedProcess,
} from '@housing/monitoring/processes';
import {
  buildContext,
  buildImage,
  cleanUp,
  docker,
  engineProblem,
  skipWithoutEngine,
} from '@housing/test-support/docker';
import { removeDir, ROOT, trainModel } from '@housing/test-support/service';

const SUITE = 'the deploy action, against the real engine, Compose v2 and a local registry';
const TOKEN = 'ghs_deployTokenForTheLoopbackApi012345';
const PROJECT = `housing-deploy-${process.pid}`;

describe.skipIf(skipWithoutEngine(SUITE))(SUITE, () => {
  let dir = '';
  let context = '';
  let registry: ManagedProcess | undefined;
  let github: FakeGitHub | undefined;
  let port = 0;
  let registryPort = 0;
  let repository = '';
  const models: Record<string, string> = {};
  // name -> the image by digest, as the registry has it (name@sha256:...).
  const pushed: Record<string, string> = {};
  const versions: Record<string, string> = {};
  const tags: string[] = [];

  const served = async () =>
    ((await (await fetch(`http://127.0.0.1:${port}/v1/model`)).json()) as { model_version: string })
      .model_version;
  const deploy = (image: string, modelVersion: string, extra: Record<string, string> = {}) =>
    runAction('deploy', {
      event: 'workflow_dispatch',
      inputs: {
        environment: 'staging',
        image,
        'model-version': modelVersion,
        url: `http://127.0.0.1:${port}`,
        'compose-file': join(dir, 'docker-compose.yml'),
        'state-dir': join(dir, 'state'),
        'ready-timeout-seconds': '60',
        'github-token': TOKEN,
        'project-name': PROJECT,
        // As deploy.yml gives it: the environment's own file, outside the workspace.
        'env-file': join(dir, 'staging.env'),
        // The loopback registry stands for ghcr.io; no Sigstore or attestation API answers here
        // (actions/test/deploy.test.ts verifies provenance through a recording gh).
        registry: `127.0.0.1:${registryPort}`,
        'verify-provenance': 'false',
        // The no-op test counts the Deployments the action records; deploy.yml's jobs record none.
        'create-deployment': 'true',
        ...extra,
      },
      env: {
        GITHUB_API_URL: github!.url,
        GITHUB_RUN_ID: '4343',
        DOCKER_HOST: process.env.DOCKER_HOST ?? '',
      },
    });
  const composeCli = (args: string[]) =>
    docker([
      'compose',
      '--project-name',
      PROJECT,
      '--file',
      join(dir, 'docker-compose.yml'),
      '--env-file',
      join(dir, 'staging.env'),
      ...args,
    ]);
  const failed = (run: ActionRun) =>
    `${run.stdout}\n${run.annotations.map((a) => a.message).join('\n')}`;

  /** Builds `name` on top of the service image with another model folder baked in, pushes it, drops it locally. */
  const pushModelImage = async (name: string, base: string) => {
    const layer = await mkdtemp(join(tmpdir(), 'deploy-layer-'));
    await writeFile(
      join(layer, 'Dockerfile'),
      `FROM ${base}\nCOPY model.onnx model.card.json ./models/production/\n`,
    );
    for (const file of ['model.onnx', 'model.card.json'])
      await writeFile(join(layer, file), await readFile(join(models[name]!, file)));
    const tag = `${repository}:${name}`;
    await buildImage(layer, 'Dockerfile', tag);
    await removeDir(layer);
    return push(name, tag);
  };
  const push = async (name: string, tag: string) => {
    tags.push(tag);
    await docker(['push', tag], 5 * 60_000);
    const digests = JSON.parse(
      await docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', tag]),
    ) as string[];
    const digest = digests.find((d) => d.startsWith(`${repository}@sha256:`));
    if (!digest) throw new Error(`${tag}: no digest from ${repository} after the push`);
    pushed[name] = digest;
  };

  beforeAll(async () => {
    const problem = engineProblem();
    if (problem) throw new Error(problem);
    dir = await mkdtemp(join(tmpdir(), 'deploy-real-'));
    // A real registry on loopback (Debian's docker-registry); the engine treats
    // 127.0.0.0/8 registries as insecure by default, so plain HTTP is enough.
    registryPort = await freePort();
    await writeFile(
      join(dir, 'registry.yml'),
      stringify({
        version: 0.1,
        log: { level: 'warn' },
        storage: { filesystem: { rootdirectory: join(dir, 'registry') } },
        http: { addr: `127.0.0.1:${registryPort}` },
      }),
    );
    registry = startProcess('docker-registry', 'docker-registry', [
      'serve',
      join(dir, 'registry.yml'),
    ]);
    await waitForHttp(`http://127.0.0.1:${registryPort}/v2/`, registry);
    // This repository's own images (GITHUB_REPOSITORY, lower-cased): deploy refuses any other.
    repository = `127.0.0.1:${registryPort}/housing-mlops/housing-mlops/housing-service`;
    github = await startFakeGitHub(TOKEN);

    for (const [name, trainArgs] of [
      ['a', []],
      ['b', ['--seed', '7']],
    ] as const) {
      models[name] = await trainModel([...trainArgs]);
      versions[name] = (
        JSON.parse(await readFile(join(models[name], 'model.card.json'), 'utf8')) as {
          model_version: string;
        }
      ).model_version;
    }
    // broken: a model that cannot load.
    models.broken = await mkdtemp(join(tmpdir(), 'deploy-broken-'));
    await writeFile(join(models.broken, 'model.onnx'), 'not an onnx graph');
    await writeFile(
      join(models.broken, 'model.card.json'),
      await readFile(join(models.a!, 'model.card.json')),
    );

    // A: the real Dockerfile, never from cache; B and broken: A with another model.
    context = await buildContext({
      'models/production/model.onnx': join(models.a!, 'model.onnx'),
      'models/production/model.card.json': join(models.a!, 'model.card.json'),
    });
    await buildImage(context, 'service/Dockerfile', `${repository}:a`);
    await push('a', `${repository}:a`);
    await pushModelImage('b', `${repository}:a`);
    await pushModelImage('broken', `${repository}:a`);
    // Only the registry has them now: the deploy must pull.
    await docker(['image', 'rm', ...tags]);

    // The repository's compose file, with the service on a free loopback port.
    port = await freePort();
    const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { ports?: string[] }>;
    };
    compose.services.service!.ports = [`127.0.0.1:${port}:8080`];
    await writeFile(join(dir, 'docker-compose.yml'), stringify(compose));
    // The env file a runner keeps per environment: Compose hands ADMIN_TOKEN to the
    // service as a secret file, and refuses to create the service without it; the
    // same holds for the prediction log's DATABASE_URL and FEEDBACK_TOKEN.
    await writeFile(
      join(dir, 'staging.env'),
      [
        'ADMIN_TOKEN=lane-admin-token-0123456789',
        'FEEDBACK_TOKEN=lane-feedback-token-0123456789',
        'POSTGRES_PASSWORD=lane0postgres0password0123456789',
        'DATABASE_URL=postgres://housing:lane0postgres0password0123456789@postgres:5432/housing',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  }, 20 * 60_000);

  afterAll(async () => {
    if (dir) await composeCli(['down', '--volumes']).catch(() => undefined);
    await cleanUp({
      images: [...tags, ...Object.values(pushed), ...built],
      dirs: [dir, context, ...Object.values(models)],
    });
    await registry?.stop();
    await github?.close();
  }, 120_000);

  it('deploys an image by its registry digest: pulled, started, ready, right model, smoke-tested', async () => {
    const run = await deploy(pushed.a!, versions.a!);
    expect(run.code, failed(run)).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'deployed', 'model-version': versions.a });
    expect(await served()).toBe(versions.a);
    expect(run.outputs['running-image']).toBe(pushed.a);
    // The container runs exactly what the registry holds under that digest.
    const container = await composeCli(['ps', '--quiet', 'service']);
    expect(await docker(['inspect', '--format', '{{.Image}}', container])).toBe(
      await docker(['image', 'inspect', '--format', '{{.Id}}', pushed.a!]),
    );
  }, 300_000);

  it('treats a redeploy of the running image as a no-op', async () => {
    const run = await deploy(pushed.a!, versions.a!);
    expect(run.code, failed(run)).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'unchanged', 'deployment-id': '' });
    expect(github!.deployments).toHaveLength(1);
  }, 120_000);

  it('deploys the next image', async () => {
    const run = await deploy(pushed.b!, versions.b!);
    expect(run.code, failed(run)).toBe(0);
    expect(run.outputs.result).toBe('deployed');
    expect(await served()).toBe(versions.b);
  }, 300_000);

  it('rolls a broken image back to the running one, checks it, and fails the job', async () => {
    const run = await deploy(pushed.broken!, 'gbdt-cccccccccccc', {
      'ready-timeout-seconds': '20',
    });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ result: 'rolled-back', 'running-image': pushed.b });
    expect(run.annotations.at(-1)!.message).toMatch(/rolled back: .* runs and is healthy\.$/);
    expect(await served()).toBe(versions.b);
  }, 300_000);

  it('keeps the rollback: the broken image is refused until the desired state changes', async () => {
    const run = await deploy(pushed.broken!, 'gbdt-cccccccccccc');
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toMatch(/was rolled back on .*; it is not re-applied/);
    expect(await served()).toBe(versions.b);
  }, 120_000);
  // The GitOps cycle for a service change, with the real actions: tag-image
  // builds the real Dockerfile with buildx (the docker driver) and pushes it,
  // promote records its digest in deploy/staging.yml on the loopback GitHub,
  // and deploy pulls and runs what the file names, by digest.
  const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  // tag-image lower-cases the owner's capitals, as ghcr.io/${{ github.repository }} keeps them.
  const owner = () => `127.0.0.1:${registryPort}/Housing-MLOps/Housing-MLOps/housing-service`;
  const built: string[] = [];
  const releases: { image: string; modelVersion: string }[] = [];
  let promoted = '';

  /** Builds and pushes the context with tag-image; returns its image-by-digest output. */
  const buildAndPush = async (): Promise<{ image: string; modelVersion: string }> => {
    const run = await runAction('tag-image', {
      inputs: {
        images: owner(),
        card: join(models.a!, 'model.card.json'),
        push: 'true',
        context,
        file: join(context, 'service/Dockerfile'),
      },
      env: {
        DOCKER_HOST: process.env.DOCKER_HOST ?? '',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        SOURCE_DATE_EPOCH: '1795392000',
      },
    });
    expect(run.code, failed(run)).toBe(0);
    built.push(...run.outputs.tags!.split('\n'));
    const name = owner().toLowerCase();
    expect(run.outputs.image).toMatch(new RegExp(`^${name}@sha256:[0-9a-f]{64}$`));
    expect(run.outputs.image).toBe(`${name}@${run.outputs.digest}`);
    // The registry itself serves that digest under the tag a person would quote.
    const manifest = await fetch(
      `http://127.0.0.1:${registryPort}/v2/housing-mlops/housing-mlops/housing-service/manifests/sha-${SHA.slice(0, 7)}`,
      {
        method: 'HEAD',
        headers: {
          accept: [
            'application/vnd.docker.distribution.manifest.v2+json',
            'application/vnd.docker.distribution.manifest.list.v2+json',
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.oci.image.index.v1+json',
          ].join(', '),
        },
      },
    );
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(run.outputs.digest);
    // Only the registry has it now: the deploy must pull it by digest.
    const id = await docker(['image', 'inspect', '--format', '{{.Id}}', built.at(-1)!]);
    await docker(['image', 'rm', '--force', id]);
    return { image: run.outputs.image!, modelVersion: run.outputs['model-version']! };
  };

  /** promote on the loopback GitHub; returns deploy/staging.yml as the promotion branch has it. */
  const promote = async (release: { image: string; modelVersion: string }) => {
    const run = await runAction('promote', {
      event: 'workflow_dispatch',
      inputs: {
        environment: 'staging',
        image: release.image,
        'model-version': release.modelVersion,
        'github-token': TOKEN,
      },
      env: { GITHUB_API_URL: github!.url },
    });
    expect(run.code, failed(run)).toBe(0);
    return run;
  };
  const stagingOn = (branch: string) =>
    github!.git.commits.get(github!.git.refs.get(branch)!)!.get('deploy/staging.yml')!;
  /**
   * Deploys what a merged `deploy/staging.yml` says, as deploy.yml does on a push,
   * checks the run shipped `image`, and returns the running container's id.
   */
  const deployStaging = async (staging: string, image: string): Promise<string> => {
    await writeFile(join(dir, 'staging.yml'), staging);
    const run = await deploy('', '', {
      image: '',
      'model-version': '',
      'desired-state': join(dir, 'staging.yml'),
    });
    expect(run.code, failed(run)).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'running-image': image,
      'model-version': versions.a,
    });
    expect(await served()).toBe(versions.a);
    return composeCli(['ps', '--quiet', 'service']);
  };

  it(
    'tag-image pushes the real image; promote records its digest; deploy pulls and runs it by digest',
    async () => {
      github!.seedBranch('main', {
        'deploy/staging.yml': await readFile(join(ROOT, 'deploy/staging.yml'), 'utf8'),
      });
      const release = await buildAndPush();
      releases.push(release);
      expect(release.modelVersion).toBe(versions.a);
      const pr = await promote(release);
      expect(pr.outputs['pull-request-number']).toMatch(/^\d+$/);
      promoted = stagingOn('promote/staging');
      expect(promoted).toContain(`image: ${release.image}\n`);
      // Merged: main now says so.
      github!.seedBranch('main', { 'deploy/staging.yml': promoted });

      const container = await deployStaging(promoted, release.image);
      expect(await docker(['inspect', '--format', '{{.Image}}', container])).toBe(
        await docker(['image', 'inspect', '--format', '{{.Id}}', release.image]),
      );
    },
    20 * 60_000,
  );

  it(
    'a rebuild with a service-only change gets a new digest: promote proposes it, deploy ships it with the same model',
    async () => {
      // The same commit, time and model: only the service's code differs.
      const marker = `service-only change ${process.pid}`;
      await appendFile(
        join(context, 'service/src/main.ts'),
        `\nexport const SERVICE_CHANGE = ${JSON.stringify(marker)};\n`,
      );
      const rebuilt = await buildAndPush();
      releases.push(rebuilt);
      expect(rebuilt.modelVersion).toBe(releases[0]!.modelVersion);
      expect(rebuilt.image).not.toBe(releases[0]!.image);

      // The same digest again is no change; the new one is.
      const same = await promote(releases[0]!);
      expect(same.stdout).toContain('already says');
      const pr = await promote(rebuilt);
      expect(pr.stdout).not.toContain('already says');
      expect(pr.outputs['pull-request-number']).toMatch(/^\d+$/);
      const next = stagingOn('promote/staging');
      expect(next).toContain(`image: ${rebuilt.image}\n`);
      expect(next).not.toBe(promoted);

      // Same model as before: the service-only rebuild keeps versions.a.
      const container = await deployStaging(next, rebuilt.image);
      expect(
        await docker([
          'exec',
          container,
          'node',
          '-e',
          `process.stdout.write(String(require('node:fs').readFileSync('service/dist/main.mjs', 'utf8').includes(${JSON.stringify(marker)})))`,
        ]),
      ).toBe('true');
    },
    20 * 60_000,
  );
});
