import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelCard } from '@housing/model-card/read';
import { freePort } from '@housing/monitoring/processes';
import { trainModel } from '@housing/test-support/service';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { ROOT, runAction, type ActionRun } from './harness.ts';

const TOKEN = 'ghs_deployTokenForTheLoopbackApi012345';
const IMAGE = 'ghcr.io/housing-mlops/housing-mlops/housing-service';
/** The image `name` stands for, by digest, as promotion and deploys name images. */
const ref = (name: string) => `${IMAGE}@sha256:${createHash('sha256').update(name).digest('hex')}`;
/** A compose call's command, after Compose's global options (--project-name, --env-file, --file). */
const command = (args: string[]) => {
  let first = 1;
  while (args[first]?.startsWith('--')) first += 2;
  return args.slice(first);
};

describe('deploy (bundled dist, a recording docker first on PATH that runs the real service, a loopback GitHub API)', () => {
  let dir: string;
  let github: FakeGitHub;
  let port: number;
  let versionA: string;
  let versionB: string;
  const allCalls = async () =>
    (await readFile(join(dir, 'docker/calls.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[]; image: string | null; stdin?: string });
  // What the deploy did, without the `compose version` probe each run starts with.
  const calls = async () =>
    (await allCalls()).filter((c) => c.args.join(' ') !== 'compose version --short');
  // What Compose was asked to do (deploy's own calls, without login and logout).
  const composeCalls = async () => (await calls()).filter((c) => c.args[0] === 'compose');
  const served = async () =>
    ((await (await fetch(`http://127.0.0.1:${port}/v1/model`)).json()) as { model_version: string })
      .model_version;
  /** What the fake gh was asked, and whether GH_TOKEN was the action's token each time. */
  const ghCalls = async () =>
    (await readFile(join(dir, 'gh/calls.jsonl'), 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { args: string[]; token: boolean })
      // `gh --version` precedes every verification; the test of gh's version floor reads it.
      .filter((c) => c.args[0] !== '--version');
  /** The gh call that verifies `image`'s provenance as this repository's. */
  const verifyCall = (image: string) => ({
    args: [
      'attestation',
      'verify',
      `oci://${image}`,
      '--repo',
      'housing-mlops/housing-mlops',
      '--deny-self-hosted-runners',
    ],
    token: true,
  });
  const deploy = (
    tag: string,
    modelVersion: string,
    extra: Record<string, string> = {},
    /** Another event than a workflow_dispatch on main, as GitHub would set it. */
    event: {
      event?: 'push' | 'pull_request' | 'workflow_dispatch' | 'repository_dispatch';
      eventFile?: string;
      ref?: string;
    } = {},
    /** More environment for the runner's programs (the fake gh's version). */
    moreEnv: Record<string, string> = {},
  ): Promise<ActionRun> =>
    runAction('deploy', {
      event: event.event ?? 'workflow_dispatch',
      ...(event.eventFile ? { eventFile: event.eventFile } : {}),
      inputs: {
        environment: 'staging',
        image: tag ? ref(tag) : '',
        'model-version': modelVersion,
        // These tests follow the Deployment the action records; deploy.yml's jobs do not ask for one.
        'create-deployment': 'true',
        url: `http://127.0.0.1:${port}`,
        'state-dir': join(dir, 'state'),
        'ready-timeout-seconds': '30',
        'github-token': TOKEN,
        ...extra,
      },
      env: {
        ...(event.ref ? { GITHUB_REF: event.ref } : {}),
        GITHUB_API_URL: github.url,
        GITHUB_RUN_ID: '4242',
        FAKE_GH_DIR: join(dir, 'gh'),
        FAKE_GH_TOKEN: TOKEN,
        // Every image has a valid attestation of this repository, but 'unattested'.
        FAKE_GH_ATTESTED: JSON.stringify(
          ['a', 'b', 'broken', 'a-rebuilt'].map((name) => ref(name)),
        ),
        PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
        FAKE_DOCKER_DIR: join(dir, 'docker'),
        FAKE_DOCKER_PORT: String(port),
        FAKE_DOCKER_ROOT: ROOT,
        FAKE_DOCKER_IMAGES: JSON.stringify({
          [ref('a')]: join(dir, 'model-a'),
          [ref('b')]: join(dir, 'model-b'),
          [ref('broken')]: join(dir, 'model-broken'),
          // The same model in a rebuilt image (a service-only change): another digest.
          [ref('a-rebuilt')]: join(dir, 'model-a'),
          // Pullable, but with no attestation: the deploy must never get that far.
          [ref('unattested')]: join(dir, 'model-a'),
        }),
        ...moreEnv,
      },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deploy-'));
    port = await freePort();
    github = await startFakeGitHub(TOKEN);
    // B: a model from another training run (the service checks that a card's version is
    // derived from its graph, so the same graph cannot pose as another version).
    for (const [name, trainArgs] of [
      ['model-a', []],
      ['model-b', ['--seed', '7']],
    ] as const) {
      const trained = await trainModel([...trainArgs]);
      await cp(trained, join(dir, name), { recursive: true });
      await rm(trained, { recursive: true, force: true });
    }
    const versionOf = async (name: string) =>
      (await readModelCard(join(dir, name, 'model.card.json'))).model_version;
    versionA = await versionOf('model-a');
    versionB = await versionOf('model-b');
    // broken: a model that cannot load.
    await cp(join(dir, 'model-a'), join(dir, 'model-broken'), { recursive: true });
    await writeFile(join(dir, 'model-broken/model.onnx'), 'not an onnx graph');
    await cp(join(ROOT, 'actions/test/fake-docker.mjs'), join(dir, 'fake-docker.mjs'));
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'docker'));
    await writeFile(
      join(dir, 'bin/docker'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'fake-docker.mjs')}" "$@"\n`,
    );
    await chmod(join(dir, 'bin/docker'), 0o755);
    await cp(join(ROOT, 'actions/test/fake-gh.mjs'), join(dir, 'fake-gh.mjs'));
    await mkdir(join(dir, 'gh'));
    await writeFile(
      join(dir, 'bin/gh'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'fake-gh.mjs')}" "$@"\n`,
    );
    await chmod(join(dir, 'bin/gh'), 0o755);
  }, 120_000);

  afterAll(async () => {
    // Stop the service process the fake docker started, by its PID.
    try {
      const { pid } = JSON.parse(await readFile(join(dir, 'docker/running.json'), 'utf8')) as {
        pid: number;
      };
      process.kill(pid, 'SIGTERM');
    } catch {
      // nothing running
    }
    await github.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys the first image: pull, up, ready, right model, smoke test; a Deployment goes in_progress then success', async () => {
    const run = await deploy('a', versionA);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'running-image': ref('a'),
      'model-version': versionA,
    });
    expect(await served()).toBe(versionA);
    // Compose is found (the plugin) before anything else runs.
    expect((await allCalls())[0]!.args).toEqual(['compose', 'version', '--short']);
    expect(run.stdout).toContain('Compose 2.26.1: docker compose');
    expect((await calls()).map((c) => [command(c.args).join(' '), c.image])).toEqual([
      ['ps --format json service', null],
      ['pull service', ref('a')],
      ['up --detach --no-build service', ref('a')],
    ]);
    // The environment's own Compose project, so staging and production can share a host.
    expect(
      (await calls()).every(
        (c) => c.args.slice(1, 3).join(' ') === '--project-name housing-staging',
      ),
    ).toBe(true);
    const [deployment] = github.deployments;
    expect(deployment!.request).toMatchObject({
      environment: 'staging',
      payload: { image: ref('a'), model_version: versionA },
    });
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment!.statuses[1]).toMatchObject({
      environment_url: `http://127.0.0.1:${port}`,
      auto_inactive: true,
    });
    expect(run.summary).toMatch(/smoke test \| row 0: \d+, row 1: \d+/);
    // Its provenance was verified first, with the action's token in GH_TOKEN only.
    expect(await ghCalls()).toEqual([verifyCall(ref('a'))]);
    expect(run.stdout).toContain(`Verification succeeded`);
    expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN))).toEqual([
      `::add-mask::${TOKEN}`,
    ]);
  });

  it('treats a redeploy of the running version as a no-op', async () => {
    const before = (await calls()).length;
    const run = await deploy('a', versionA);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'unchanged', 'deployment-id': '' });
    expect((await calls()).slice(before).map((c) => command(c.args)[0])).toEqual(['ps']);
    expect(github.deployments).toHaveLength(1);
  });

  it('deploys the next version and marks the earlier deployment inactive', async () => {
    const run = await deploy('b', versionB);
    expect(run.code, run.stdout).toBe(0);
    expect(await served()).toBe(versionB);
    expect(github.deployments.map((d) => d.statuses.at(-1)?.state)).toEqual([
      'inactive',
      'success',
    ]);
  });

  it('rolls a broken model back to the running version, checks it, and fails the job saying both', async () => {
    const run = await deploy('broken', 'gbdt-cccccccccccc', { 'ready-timeout-seconds': '8' });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ result: 'rolled-back', 'running-image': ref('b') });
    const message = run.annotations.at(-1)!.message;
    expect(message).toMatch(
      new RegExp(
        `^deploy of ${ref('broken')} to staging failed: .*readyz was not ready within 8000 ms`,
      ),
    );
    expect(message).toMatch(new RegExp(`Now: rolled back: ${ref('b')} runs and is healthy\\.$`));
    expect(await served()).toBe(versionB);
    expect(github.deployments.at(-1)!.statuses.map((s) => s.state)).toEqual([
      'in_progress',
      'failure',
    ]);
  }, 60_000);

  it('reads what to deploy from the desired-state file, and skips an environment with nothing promoted', async () => {
    const file = join(dir, 'staging.yml');
    await writeFile(file, 'environment: staging\nimage: null\nmodel_version: null\n');
    const empty = await deploy('', '', { image: '', 'model-version': '', 'desired-state': file });
    expect(empty.code, empty.stdout).toBe(0);
    expect(empty.outputs.result).toBe('unchanged');
    expect(empty.stdout).toContain('nothing is promoted to staging yet');
    await writeFile(file, `environment: staging\nimage: ${ref('b')}\nmodel_version: ${versionB}\n`);
    const same = await deploy('', '', { image: '', 'model-version': '', 'desired-state': file });
    expect(same.outputs.result).toBe('unchanged');
    await writeFile(
      file,
      `environment: production\nimage: ${ref('b')}\nmodel_version: ${versionB}\n`,
    );
    const wrong = await deploy('', '', { image: '', 'model-version': '', 'desired-state': file });
    expect(wrong.annotations.at(-1)?.message).toBe(`${file}: is for production, not staging`);
  });

  it('keeps a rollback rolled back: the failed image is refused until the desired state changes', async () => {
    const before = (await calls()).length;
    const run = await deploy('broken', 'gbdt-cccccccccccc');
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toMatch(
      new RegExp(`^image: ${ref('broken')} was rolled back on .*; it is not re-applied`),
    );
    expect((await calls()).slice(before).map((c) => command(c.args)[0])).toEqual(['ps']);
    expect(await served()).toBe(versionB);
  });
  it("ships a service-only rebuild (same model, new digest), in deploy.yml's way: its own project and env file, logged in by stdin, no second Deployment", async () => {
    const envFile = join(dir, 'staging.env');
    await writeFile(envFile, 'SERVICE_PORT=8080\n');
    const deployments = github.deployments.length;
    const before = (await allCalls()).length;
    const password = 'ghs_registryPasswordNeverLogged0123';
    const run = await deploy('a-rebuilt', versionA, {
      'create-deployment': '',
      'project-name': 'housing-staging-2',
      'env-file': envFile,
      'registry-username': 'octocat',
      'registry-password': password,
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      result: 'deployed',
      'running-image': ref('a-rebuilt'),
      'model-version': versionA,
      'deployment-id': '',
    });
    expect(await served()).toBe(versionA);
    // The job's environment: made the one Deployment; the action adds none.
    expect(github.deployments).toHaveLength(deployments);
    const made = (await allCalls())
      .slice(before)
      .filter((c) => c.args[0] !== 'compose' || c.args[1] !== 'version');
    expect(made.map((c) => (c.args[0] === 'compose' ? command(c.args)[0] : c.args[0]))).toEqual([
      'ps',
      'login',
      'pull',
      'up',
      'logout',
    ]);
    const login = made[1]!;
    expect(login.args).toEqual(['login', 'ghcr.io', '--username', 'octocat', '--password-stdin']);
    expect(login.stdin).toBe(password);
    expect(made[4]!.args).toEqual(['logout', 'ghcr.io']);
    // Only in the mask command that tells the runner to hide it.
    expect(run.stdout.split('\n').filter((l) => l.includes(password))).toEqual([
      `::add-mask::${password}`,
    ]);
    for (const c of made.filter((m) => m.args[0] === 'compose'))
      expect(c.args.slice(1, 5)).toEqual([
        '--project-name',
        'housing-staging-2',
        '--env-file',
        envFile,
      ]);
    expect((await composeCalls()).at(-1)!.args).toContain('--no-build');
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'an image without its model version (a workflow_dispatch by digest)',
      { image: ref('b'), 'model-version': '' },
      "input 'model-version' is required with input 'image'",
    ],
    [
      'an image by tag',
      { image: `${IMAGE}:model-gbdt-aaaaaaaaaaaa`, 'model-version': 'gbdt-aaaaaaaaaaaa' },
      `input 'image': '${IMAGE}:model-gbdt-aaaaaaaaaaaa' must name the image by digest`,
    ],
    [
      'a model version without an image',
      { image: '', 'model-version': 'gbdt-aaaaaaaaaaaa' },
      "input 'model-version' is given without input 'image'",
    ],
    [
      'a model version that is not one',
      { image: ref('b'), 'model-version': 'latest' },
      "input 'model-version': 'latest' is not a model version",
    ],
    [
      'an env file that does not exist',
      { 'env-file': '/nonexistent/housing/staging.env' },
      "input 'env-file': /nonexistent/housing/staging.env does not exist",
    ],
    [
      'an env file that is a folder',
      { 'env-file': tmpdir() },
      `input 'env-file': ${tmpdir()} is not a file`,
    ],
    [
      'a username without a password',
      { 'registry-username': 'octocat' },
      "inputs 'registry-username' and 'registry-password' are given together",
    ],
    [
      'a project name Compose refuses',
      { 'project-name': 'Housing Staging' },
      "input 'project-name'",
    ],
  ])('names %s, before Compose is asked anything', async (_name, extra, message) => {
    const before = (await composeCalls()).length;
    const run = await deploy('b', versionB, extra);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toContain(message);
    expect((await composeCalls()).length).toBe(before);
  });

  it('takes an image with capitals in its owner, lower-cased, from the desired state', async () => {
    const file = join(dir, 'staging.yml');
    await writeFile(
      file,
      `environment: staging\nimage: ${ref('b').replace('housing-mlops/housing-mlops', 'Housing-MLOps/Housing-MLOps')}\nmodel_version: ${versionB}\n`,
    );
    const run = await deploy('', '', { image: '', 'model-version': '', 'desired-state': file });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'deployed', 'running-image': ref('b') });
    expect(await served()).toBe(versionB);
  });
  it("checks the service at the env file's SERVICE_PORT when no url is given, and says where", async () => {
    const envFile = join(dir, 'port.env');
    await writeFile(envFile, `# the port docker-compose.yml publishes\nSERVICE_PORT="${port}"\n`);
    const run = await deploy('b', versionB, { url: '', 'env-file': envFile });
    expect(run.code, run.stdout).toBe(0);
    // b runs and answers there: nothing to do.
    expect(run.outputs).toMatchObject({ result: 'unchanged', url: `http://127.0.0.1:${port}` });
  });

  it("runs on a push to the default branch (deploy.yml's merged desired state)", async () => {
    const file = join(dir, 'staging.yml');
    await writeFile(file, `environment: staging\nimage: ${ref('b')}\nmodel_version: ${versionB}\n`);
    const run = await deploy(
      '',
      '',
      { image: '', 'model-version': '', 'desired-state': file },
      { event: 'push' },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.result).toBe('unchanged');
  });

  it.each<
    [
      string,
      {
        event: 'push' | 'pull_request' | 'repository_dispatch' | 'workflow_dispatch';
        eventFile?: string;
        ref: string;
      },
    ]
  >([
    ["a pull request (a fork's among them)", { event: 'pull_request', ref: 'refs/pull/7/merge' }],
    ['a push of a tag', { event: 'push', eventFile: 'push-tag.json', ref: 'refs/tags/v1.4.0' }],
    ['a push to another branch', { event: 'push', ref: 'refs/heads/feature' }],
    [
      'a workflow_dispatch on another branch',
      { event: 'workflow_dispatch', ref: 'refs/heads/feature' },
    ],
    ['a repository_dispatch', { event: 'repository_dispatch', ref: 'refs/heads/main' }],
  ])('refuses %s, naming the event and ref, before anything runs', async (_name, event) => {
    const docker = (await allCalls()).length;
    const gh = (await ghCalls()).length;
    const run = await deploy('a', versionA, {}, event);
    expect(run.code).toBe(1);
    const message = run.annotations.at(-1)!.message;
    expect(message).toContain(`this is a ${event.event} event on ${event.ref}`);
    expect(message).toMatch(/^deploys run only on/);
    // Not even Compose's version probe, nor gh.
    expect((await allCalls()).length).toBe(docker);
    expect((await ghCalls()).length).toBe(gh);
    expect(await served()).toBe(versionB);
  });

  it('refuses an image whose provenance does not verify: nothing pulled, started or recorded; the error names it', async () => {
    const deployments = github.deployments.length;
    const before = (await allCalls()).length;
    const gh = (await ghCalls()).length;
    const state = await readFile(join(dir, 'state/staging.json'), 'utf8');
    const run = await deploy('unattested', versionA);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      `the build provenance of ${ref('unattested')} did not verify as housing-mlops/housing-mlops's: gh attestation verify exited with 1 (see the log above). Nothing was pulled or started`,
    );
    expect(run.stdout).toContain('failed to fetch attestations for subject');
    expect((await ghCalls()).slice(gh)).toEqual([verifyCall(ref('unattested'))]);
    // Compose was asked what runs, and nothing else: no pull, no up, no rollback.
    const made = (await allCalls())
      .slice(before)
      .filter((c) => c.args.join(' ') !== 'compose version --short');
    expect(made.map((c) => command(c.args).join(' '))).toEqual(['ps --format json service']);
    expect(await served()).toBe(versionB);
    expect(github.deployments).toHaveLength(deployments);
    // Not recorded as rolled back: once attested, it may deploy without force.
    expect(await readFile(join(dir, 'state/staging.json'), 'utf8')).toBe(state);
    expect(run.outputs.result).toBeUndefined();
  });

  it('refuses a gh older than 2.67.0, which can pass an image with no attestation (CVE-2025-25204)', async () => {
    const before = (await allCalls()).length;
    const gh = (await ghCalls()).length;
    const run = await deploy('a-rebuilt', versionA, {}, {}, { FAKE_GH_VERSION: '2.66.1' });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      'gh on this runner is 2.66.1; deploys need 2.67.0 or later, since older ones can pass an image with no attestation (CVE-2025-25204). Nothing was pulled or started',
    );
    // gh was asked its version, never to verify; Compose only what runs.
    expect((await ghCalls()).length).toBe(gh);
    const made = (await allCalls())
      .slice(before)
      .filter((c) => c.args.join(' ') !== 'compose version --short');
    expect(made.map((c) => command(c.args).join(' '))).toEqual(['ps --format json service']);
    expect(await served()).toBe(versionB);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "another repository's image, by input",
      {
        image: `ghcr.io/someone-else/housing-mlops/housing-service@sha256:${'1'.repeat(64)}`,
      },
      "input 'image': ghcr.io/someone-else/housing-mlops/housing-service@sha256:",
    ],
    [
      'an image of another registry',
      { image: `docker.io/housing-mlops/housing-mlops/housing-service@sha256:${'1'.repeat(64)}` },
      'is not an image of this repository: only ghcr.io/housing-mlops/housing-mlops/...@sha256:... is deployed',
    ],
    [
      "this repository's name as a prefix of another's",
      { image: `ghcr.io/housing-mlops/housing-mlops-fork/service@sha256:${'1'.repeat(64)}` },
      'is not an image of this repository',
    ],
  ])('refuses %s before gh or Compose runs', async (_name, extra, message) => {
    const docker = (await allCalls()).length;
    const gh = (await ghCalls()).length;
    const run = await deploy('b', versionB, extra);
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toContain(message);
    expect((await allCalls()).length).toBe(docker);
    expect((await ghCalls()).length).toBe(gh);
  });

  it("refuses another repository's image from the desired state, naming the file", async () => {
    const file = join(dir, 'foreign.yml');
    const foreign = ref('b').replace('ghcr.io/housing-mlops/', 'ghcr.io/someone-else/');
    await writeFile(file, `environment: staging\nimage: ${foreign}\nmodel_version: ${versionB}\n`);
    const gh = (await ghCalls()).length;
    const run = await deploy('', '', { image: '', 'model-version': '', 'desired-state': file });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      `${file}: ${foreign} is not an image of this repository: only ghcr.io/housing-mlops/housing-mlops/...@sha256:... is deployed`,
    );
    expect((await ghCalls()).length).toBe(gh);
  });

  it('deploys without gh only when verify-provenance is false (these loopback tests alone), and warns', async () => {
    const gh = (await ghCalls()).length;
    const run = await deploy('a', versionA, { 'verify-provenance': 'false' });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ result: 'deployed', 'running-image': ref('a') });
    expect(await served()).toBe(versionA);
    expect((await ghCalls()).length).toBe(gh);
    expect(run.annotations.map((a) => a.level)).toContain('warning');
    expect(run.stdout).toContain(
      `verify-provenance is false: the build provenance of ${ref('a')} is not checked`,
    );
  }, 60_000);
});
