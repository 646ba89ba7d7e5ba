/**
 * Issue 16 item 4, proof without github.com: each workflow's YAML walked job by
 * job as a runner would (test/workflow-runner/), in a clone with nothing beside
 * it, with GITHUB_* and event payloads as GitHub sets them, the data remote
 * over S3 (s3rver), the project's actions from their committed bundles, and
 * the loopback GitHub. What the walk emulates and what it does not: README.md,
 * "Proof without github.com".
 */
import { chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import { housingRemote } from '@housing/test-support/dvc-remote';
import {
  pushDvcRemote,
  S3RVER_ACCOUNT,
  startS3Server,
  type S3Server,
} from '@housing/test-support/s3-remote';
import { ROOT } from '@housing/test-support/root';
import { trainModel } from '@housing/test-support/service';
import { modelRelease } from '@housing/actions/model-releases';
import { makeOrigin, type Origin } from './workflow-runner/checkout.ts';
import { dispatchEvent, pullRequestEvent, pushEvent } from './workflow-runner/events.ts';
import type { Substitutions } from './workflow-runner/steps.ts';
import { walkWorkflow, type JobRecord } from './workflow-runner/walk.ts';
import { parseWorkflow, skipReason } from './workflow-runner/workflow.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const TOKEN = 'ghs_workflowWalkTokenForTheLoopback0123';
const BUCKET = 'housing-fork';
const REPOSITORY = 'housing-mlops/housing-mlops';

/**
 * Everything the walk does instead of what a hosted runner does. Nothing else
 * is substituted: a step not named here runs as written, or fails the test.
 */
const SUBSTITUTIONS: Substitutions = {
  run: {
    // The checkout emulation hard-links node_modules from this worktree, as
    // .ci/fork-layout.sh does; npm ci would download from the registry.
    'npm ci': {
      command: 'test -f node_modules/.package-lock.json',
      why: 'node_modules linked at checkout',
    },
    // The whole suite (this walk among it) is .ci/run's, and would walk
    // itself: the step's command line is checked to be package.json's test
    // script, and that script runs one unit file (the workflows' triggers) in
    // the clone, with its config, its data setup and the pulled data/.
    'npm test': {
      command: [
        'test "$(node -p "require(\'./package.json\').scripts.test")" = "vitest run"',
        'echo "promtool: $(command -v promtool)"',
        'npm test -- --project unit test/workflow-runner/triggers.unit.test.ts',
      ].join(' && '),
      why: "package.json's test script, on one unit file: the whole suite is .ci/run's",
    },
  },
  forcedInputs: {
    // setup-python and `pip install dvc` cannot run here (no PyPI): the walk
    // treats them as absent, so pull-data takes its built-in pull over S3.
    './.github/actions/pull-data:use-dvc': {
      value: 'false',
      why: 'Python and DVC are absent here',
    },
    // ESLint, Prettier and tsc over the whole tree take minutes on this shared
    // machine (npm run lint and .ci/run run them); the checks that read the
    // workflows, the actions, the pipeline and the monitoring config (with
    // promtool and amtool from the step above) run, from the committed bundle.
    './actions/lint:checks': {
      value: 'workflows,actions,pipeline-config,prometheus,dashboards',
      why: 'ESLint, Prettier and tsc over the whole tree take minutes here',
    },
  },
  named: {
    // deb.debian.org is out of reach; the same bookworm packages are installed
    // on this machine (apt): their programs are linked where dpkg-deb would
    // extract them, checked at the versions the step pins, and put on PATH
    // through GITHUB_PATH as the step does.
    'Prometheus 2.42.0 and Alertmanager 0.25.0 (promtool, amtool, the live tests)': {
      command: [
        'tools="$RUNNER_TEMP/prometheus-tools/usr/bin"',
        'mkdir -p "$tools"',
        'for p in prometheus promtool prometheus-alertmanager amtool; do ln -s "$(command -v "$p")" "$tools/$p"; done',
        '"$tools/promtool" --version 2>&1 | grep -q "version 2.42.0"',
        '"$tools/amtool" --version 2>&1 | grep -q "version 0.25.0"',
        'echo "$tools" >> "$GITHUB_PATH"',
      ].join(' && '),
      why: "bookworm's packages, installed here by apt, linked where dpkg-deb extracts them",
    },
  },
  // Runs containers (docker compose up, then the service's checks): the real Docker engine.
  needsDocker: ['deploy'],
  // dockerStandIn: set in beforeAll, a docker that records its arguments (login,
  // buildx create, buildx build --push) and writes the metadata file buildx
  // would, with a fixed digest: nothing is built or pushed, the outputs are.
};

/**
 * The defect a baseline from the newest release was: a step that downloads the
 * newest release's model (the first the releases list answers), as image.yml
 * once did, instead of the one deploy/production.yml names.
 */
const NEWEST_RELEASE = `import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
const api = process.env.GITHUB_API_URL + '/repos/' + process.env.GITHUB_REPOSITORY;
const headers = { authorization: 'Bearer ' + process.env.TOKEN };
const [newest] = await (await fetch(api + '/releases?per_page=1', { headers })).json();
mkdirSync('models/production', { recursive: true });
for (const asset of newest.assets.filter((a) => a.name.startsWith('model.'))) {
  const res = await fetch(api + '/releases/assets/' + asset.id, { headers: { ...headers, accept: 'application/octet-stream' } });
  writeFileSync('models/production/' + asset.name, Buffer.from(await res.arrayBuffer()));
}
appendFileSync(process.env.GITHUB_OUTPUT, 'release=' + newest.tag_name + '\\n');
`;

const workflowText = (file: string) => readFile(join(ROOT, '.github/workflows', file), 'utf8');
const step = (job: JobRecord | undefined, name: string) =>
  job?.steps.find((s) => s.where.endsWith(`:${name}`));
const byId = (jobs: JobRecord[], id: string) => jobs.find((j) => j.id === id);
const summary = (jobs: JobRecord[]) => Object.fromEntries(jobs.map((j) => [j.id, j.status]));

describe('the workflows walked as a runner walks them (no github.com)', () => {
  let github: FakeGitHub;
  let s3: S3Server;
  let s3Dir: string;
  let dockerBin: string;
  const origins: Origin[] = [];
  /** The scenario's pushed commit on a clone of HEAD (removed after the suite). */
  const pushed = async (files: Record<string, string>, message: string) => {
    const origin = await makeOrigin(files, message);
    origins.push(origin);
    return origin;
  };
  let vars: Record<string, string>;
  const forkSecrets = { AWS_ACCESS_KEY_ID: S3RVER_ACCOUNT, AWS_SECRET_ACCESS_KEY: S3RVER_ACCOUNT };

  beforeAll(async () => {
    github = await startFakeGitHub(TOKEN);
    s3Dir = await mkdtemp(join(tmpdir(), 'walk-s3-'));
    dockerBin = await mkdtemp(join(tmpdir(), 'walk-docker-'));
    await writeFile(
      join(dockerBin, 'docker'),
      `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(join(dockerBin, 'calls.jsonl'))}, JSON.stringify(args) + '\\n');
const i = args.indexOf('--metadata-file');
if (i >= 0) fs.writeFileSync(args[i + 1], JSON.stringify({ 'containerimage.digest': ${JSON.stringify(DIGEST)} }));
`,
    );
    await chmod(join(dockerBin, 'docker'), 0o755);
    SUBSTITUTIONS.dockerStandIn = dockerBin;
    s3 = await startS3Server(s3Dir, BUCKET);
    await pushDvcRemote(s3.endpoint, BUCKET, 'dvc', housingRemote());
    // As README.md tells a fork: repository variables for the remote, AWS keys as secrets.
    vars = { DVC_REMOTE_URL: `s3://${BUCKET}/dvc`, DVC_REMOTE_ENDPOINT: s3.endpoint, APP_ID: '' };
  });
  afterAll(async () => {
    await github?.close();
    await s3?.close();
    await rm(s3Dir, { recursive: true, force: true });
    await rm(dockerBin, { recursive: true, force: true });
    await Promise.all(origins.map((o) => rm(dirname(o.dir), { recursive: true, force: true })));
  });

  const run = async (
    file: string,
    origin: Origin,
    start:
      | ReturnType<typeof pushEvent>
      | ReturnType<typeof dispatchEvent>
      | ReturnType<typeof pullRequestEvent>,
    options: {
      artifacts?: string;
      runAttempt?: number;
      text?: string;
      repository?: string;
      secrets?: Record<string, string>;
      inputs?: Record<string, string>;
      vars?: Record<string, string>;
    } = {},
  ) => {
    const workflow = parseWorkflow(file, options.text ?? (await workflowText(file)));
    return walkWorkflow(workflow, {
      origin,
      event: start.event,
      payload: start.payload,
      ref: start.ref,
      repository: options.repository ?? REPOSITORY,
      vars: { ...vars, ...options.vars },
      secrets: options.secrets ?? forkSecrets,
      inputs: options.inputs ?? {},
      runAttempt: options.runAttempt ?? 1,
      ...(options.artifacts ? { artifacts: options.artifacts } : {}),
      apiUrl: github.url,
      token: TOKEN,
      substitutions: SUBSTITUTIONS,
    });
  };

  /** The loopback GitHub's main holds the pushed commit's desired states (promote reads and resets to them). */
  const seedMain = async (origin: Origin) =>
    github.seedBranch('main', {
      'deploy/staging.yml': await readFile(join(origin.dir, 'deploy/staging.yml'), 'utf8'),
      'deploy/production.yml': await readFile(join(origin.dir, 'deploy/production.yml'), 'utf8'),
    });
  /** The files of promote/staging's head commit on the loopback GitHub. */
  const promotedFiles = () =>
    github.git.commits.get(github.git.refs.get('promote/staging') ?? '') ??
    new Map<string, string>();

  describe('a push to main changing only deploy/staging.yml', () => {
    let origin: Origin;
    let jobs: JobRecord[];
    beforeAll(async () => {
      const staging = (await readFile(join(ROOT, 'deploy/staging.yml'), 'utf8')).replace(
        'model_version: null',
        'model_version: null # touched',
      );
      origin = await pushed({ 'deploy/staging.yml': staging }, 'Promote to staging');
      jobs = await run('deploy.yml', origin, pushEvent(origin, REPOSITORY, 'Promote to staging'));
    }, 300_000);

    it('starts deploy.yml only, whose changes job finds staging, so only staging deploys', async () => {
      const files = ['pr.yml', 'ct.yml', 'deploy.yml', 'image.yml'];
      const all = await Promise.all(
        files.map(async (f) => parseWorkflow(f, await workflowText(f))),
      );
      const trigger = { event: 'push' as const, branch: 'main', changed: origin.changed };
      expect(all.filter((w) => skipReason(w, trigger) === null).map((w) => w.file)).toEqual([
        'deploy.yml',
      ]);
      expect(byId(jobs, 'changes')?.status, byId(jobs, 'changes')?.reason).toBe('success');
      // Outputs flow: the changes job's step output, through its job outputs, into the jobs' if:.
      expect(byId(jobs, 'changes')?.outputs).toEqual({ staging: 'true', production: 'false' });
      expect(byId(jobs, 'production')).toMatchObject({
        status: 'skipped',
        reason: "if: needs.changes.outputs.production == 'true'",
      });
      expect(byId(jobs, 'staging')?.status).toBe('stopped');
      // Evaluated when the job starts: the documented queue and environment.
      expect(byId(jobs, 'staging')).toMatchObject({
        concurrency: 'deploy-staging',
        environment: 'staging',
      });
      expect(step(byId(jobs, 'staging'), 'Record why')?.output).toContain(
        'Deploying to staging: Promote to staging',
      );
      expect(byId(jobs, 'staging')?.reason).toMatch(
        /deploy\.yml:staging:deploy: not emulated \(\.\/actions\/deploy needs the Docker engine\)/,
      );
    });

    it('fails when a step reads a path beside the checkout (../shared)', async () => {
      // A defect of part 1, reintroduced in memory: a step that reads a sibling folder.
      const text = (await workflowText('deploy.yml')).replace(
        '      - name: The environments whose deploy/<environment>.yml this run deploys\n',
        '      - run: cat ../shared/README.md\n      - name: The environments whose deploy/<environment>.yml this run deploys\n',
      );
      const broken = await run(
        'deploy.yml',
        origin,
        pushEvent(origin, REPOSITORY, 'Promote to staging'),
        { text },
      );
      expect(byId(broken, 'changes')?.status).toBe('failure');
      expect(byId(broken, 'changes')?.reason).toBe(
        'deploy.yml:changes:Run cat ../shared/README.md: run: exit 1',
      );
      expect(summary(broken)).toEqual({
        changes: 'failure',
        staging: 'skipped',
        production: 'skipped',
      });
    }, 300_000);
  });

  it('a workflow_dispatch of deploy.yml deploys the environment it names', async () => {
    const origin = await pushed({}, 'nothing changed');
    const inputs = {
      environment: 'production',
      image: `ghcr.io/${REPOSITORY}/housing-service@sha256:${'a'.repeat(64)}`,
      'model-version': 'gbdt-111111111111',
      reason: 'by hand',
    };
    const jobs = await run('deploy.yml', origin, dispatchEvent(REPOSITORY, 'deploy.yml', inputs), {
      inputs,
    });
    expect(byId(jobs, 'changes')?.outputs).toEqual({ staging: 'false', production: 'true' });
    expect(byId(jobs, 'staging')?.status).toBe('skipped');
    expect(step(byId(jobs, 'production'), 'Record why')?.output).toContain(
      'Deploying to production: by hand',
    );
    expect(step(byId(jobs, 'production'), 'deploy')?.inputs).toMatchObject({
      image: inputs.image,
      'model-version': inputs['model-version'],
    });
  }, 300_000);

  it('rejects a uses: outside the allow-list, naming the step', async () => {
    const origin = await pushed({}, 'nothing changed');
    const text = (await workflowText('deploy.yml')).replace(
      '      - name: The environments whose deploy/<environment>.yml this run deploys\n',
      '      - name: Something new\n        uses: some/action@v1\n      - name: The environments whose deploy/<environment>.yml this run deploys\n',
    );
    const start = dispatchEvent(REPOSITORY, 'deploy.yml', { environment: 'staging' });
    await expect(run('deploy.yml', origin, start, { text })).rejects.toThrow(
      'deploy.yml:changes:Something new: uses some/action@v1, which the walk neither runs nor emulates',
    );
  }, 300_000);

  describe('a service-only push, by an owner with capitals', () => {
    const owner = 'Housing-Org/housing-mlops';
    const v2 = 'gbdt-222222222222';
    let v1: string;
    let origin: Origin;
    let start: ReturnType<typeof pushEvent>;
    let jobs: JobRecord[];
    /** The image built from deploy/production.yml's model, under lower-case names only. */
    const builtRight = (records: JobRecord[]) => {
      const image = byId(records, 'image');
      const names = [
        step(image, 'image')?.outputs.image ?? '',
        step(image, 'subject')?.outputs.name ?? '',
        ...github.attestations.map((a) => a.subjects[0]?.name ?? ''),
      ];
      return (
        step(image, 'model')?.outputs.release === 'model-v1' &&
        names.every(
          (n) =>
            n.startsWith('ghcr.io/housing-org/housing-mlops/housing-service') &&
            n === n.toLowerCase(),
        )
      );
    };
    beforeAll(async () => {
      // model-v2 is the newest release; production was rolled back to model-v1's model.
      const model = await trainModel();
      const card = JSON.parse(await readFile(join(model, 'model.card.json'), 'utf8')) as {
        model_version: string;
      };
      v1 = card.model_version;
      await seedReleases(github, model, v2);
      await rm(model, { recursive: true, force: true });
      const app = await readFile(join(ROOT, 'service/src/app.ts'), 'utf8');
      const production = (await readFile(join(ROOT, 'deploy/production.yml'), 'utf8'))
        .replace(
          'image: null',
          `image: ghcr.io/housing-org/housing-mlops/housing-service@sha256:${'0'.repeat(64)}`,
        )
        .replace('model_version: null', `model_version: ${v1}`);
      origin = await pushed(
        {
          'service/src/app.ts': `${app}// a service change\n`,
          'deploy/production.yml': production,
        },
        'A service change',
      );
      await seedMain(origin);
      github.attestations.length = 0;
      start = pushEvent(origin, owner, 'A service change');
      jobs = await run('image.yml', origin, start, { repository: owner });
    }, 300_000);

    it('a service-only push builds with the model production runs, not the newest release', async () => {
      const all = await Promise.all(
        ['ct.yml', 'image.yml'].map(async (f) => parseWorkflow(f, await workflowText(f))),
      );
      const trigger = { event: 'push' as const, branch: 'main', changed: ['service/src/app.ts'] };
      expect(all.map((w) => skipReason(w, trigger))).toEqual([
        'no changed file matches paths (service/src/app.ts)',
        null,
      ]);
      const image = byId(jobs, 'image');
      // The baseline: deploy/production.yml's model-v1, fetched from the loopback GitHub.
      expect(step(image, 'model')?.outputs, step(image, 'model')?.output).toEqual({
        release: 'model-v1',
        'model-version': v1,
      });
      expect(
        image?.status,
        `${image?.reason}\n${image?.steps.map((x) => x.output).join('\n')}`,
      ).toBe('success');
      expect(image?.reason).toBe('every step passed');
      expect(image).toMatchObject({ concurrency: 'promote-staging' });
      expect(step(image, 'image')?.outputs.image).toBe(
        `ghcr.io/housing-org/housing-mlops/housing-service@${DIGEST}`,
      );
      expect(builtRight(jobs)).toBe(true);
    });

    it('attests the image by digest in the loopback GitHub and proposes it for staging, lower case', async () => {
      expect(github.attestations).toEqual([
        expect.objectContaining({
          repository: owner,
          predicateType: 'https://slsa.dev/provenance/v1',
          subjects: [
            {
              name: 'ghcr.io/housing-org/housing-mlops/housing-service',
              digest: { sha256: DIGEST.slice('sha256:'.length) },
            },
          ],
          workflow: `${owner}/.github/workflows/image.yml@refs/heads/main`,
        }),
      ]);
      // What deploy's gh attestation verify asks: the attestations of that digest.
      const listed = await fetch(`${github.url}/repos/${owner}/attestations/${DIGEST}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(listed.status).toBe(200);
      expect(
        ((await listed.json()) as { attestations: { bundle: { subjects: unknown[] } }[] })
          .attestations[0]?.bundle.subjects,
      ).toEqual(github.attestations[0]?.subjects);
      const files = promotedFiles();
      expect([...files.keys()].sort()).toEqual(['deploy/production.yml', 'deploy/staging.yml']);
      expect(files.get('deploy/staging.yml')).toContain(
        `image: ghcr.io/housing-org/housing-mlops/housing-service@${DIGEST}`,
      );
      expect(files.get('deploy/staging.yml')).toContain(`model_version: ${v1}`);
    });

    it('fails when the attestation subject is named from github.repository (an owner with capitals)', async () => {
      // The defect reintroduced in memory: the image named from github.repository as it is.
      const text = (await workflowText('image.yml')).replace(
        'IMAGE: ${{ steps.image.outputs.image }}',
        'IMAGE: ghcr.io/${{ github.repository }}/housing-service@${{ steps.image.outputs.digest }}',
      );
      github.attestations.length = 0;
      const broken = await run('image.yml', origin, start, { repository: owner, text });
      expect(builtRight(broken)).toBe(false);
      expect(byId(broken, 'image')?.reason).toBe(
        "image.yml:image:Attest the image's build provenance (deploy verifies it before pulling): subject-name ghcr.io/Housing-Org/housing-mlops/housing-service: invalid reference format: repository name must be lowercase",
      );
      expect(github.attestations).toEqual([]);
    }, 300_000);

    it('fails when the image takes the newest release instead of production’s (a baseline from the latest release)', async () => {
      // The defect reintroduced in memory: the model of the newest release, as
      // image.yml once took it, in place of ./actions/production-model.
      const committed = await workflowText('image.yml');
      const text = committed.replace(
        [
          '        uses: ./actions/production-model',
          '        with:',
          '          desired-state: deploy/production.yml',
          '          dir: models/production',
          '',
        ].join('\n'),
        `        env:\n          TOKEN: \${{ github.token }}\n        run: node .github/newest-release.mjs\n`,
      );
      expect(text).not.toBe(committed);
      const newest = await pushed(
        { '.github/newest-release.mjs': NEWEST_RELEASE, 'service/src/app.ts': '// changed\n' },
        'A service change, the newest model',
      );
      const broken = await run('image.yml', newest, pushEvent(newest, owner, 'x'), {
        repository: owner,
        text,
      });
      expect(step(byId(broken, 'image'), 'model')?.outputs.release).toBe('model-v2');
      expect(builtRight(broken)).toBe(false);
    }, 300_000);

    it('fails when the job lacks a permission a step needs (attestations: write)', async () => {
      const text = (await workflowText('image.yml')).replace(
        '      attestations: write # store the attestation, which deploy verifies\n',
        '',
      );
      const broken = await run('image.yml', origin, start, { repository: owner, text });
      expect(byId(broken, 'image')?.reason).toBe(
        "image.yml:image:Attest the image's build provenance (deploy verifies it before pulling): needs attestations: write, which the job's permissions: do not give",
      );
    }, 300_000);
  });

  it('a pull request from a fork gets no secrets: its pull from the S3 remote fails, no model job step after it runs', async () => {
    const origin = await pushed({ 'README.md': '# a fork’s change\n' }, 'A fork’s change');
    const start = pullRequestEvent(origin, REPOSITORY, 'someone-else/housing-mlops');
    const jobs = await run('pr.yml', origin, start, { secrets: {} });
    // The checks job gets past Prometheus and lint; its pull fails as the model job's does.
    expect(byId(jobs, 'checks')?.reason).toMatch(
      /^pr\.yml:checks:Pull the data by hash .*The built-in pull: failure/,
    );
    expect(
      step(
        byId(jobs, 'checks'),
        'Lint (ESLint, Prettier, tsc, workflows, actions, pipeline and monitoring config)',
      )?.status,
    ).toBe('success');
    const model = byId(jobs, 'model');
    const pull = step(model, "Pull the data by hash (the fork's remote, from DVC_REMOTE_URL)");
    expect(pull?.output).toContain(
      `s3 remote 'fork' (s3://${BUCKET}/dvc at ${s3.endpoint}): no AWS credentials found`,
    );
    expect(model?.status).toBe('failure');
    expect(model?.reason).toMatch(
      /^pr\.yml:model:Pull the data by hash .*The built-in pull: failure/,
    );
    expect(step(model, 'Gate against production')?.status).toBe('skipped');
  }, 300_000);

  describe('a pull request from a fork of a repository that reads its data by OIDC (AWS_ROLE_ARN)', () => {
    const role = { AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/housing-data' };
    // Only the model job: the checks job pulls the same way.
    const modelOnly = async () =>
      (await workflowText('pr.yml')).replace(/\n {2}checks:[\s\S]*?\n {2}model:/, '\n  model:');
    /** pr.yml's model job on a fork's pull request of `origin`, and what its pull-data step did. */
    const forkPull = async (origin: Origin) => {
      const start = pullRequestEvent(origin, REPOSITORY, 'someone-else/housing-mlops');
      const jobs = await run('pr.yml', origin, start, {
        secrets: {},
        text: await modelOnly(),
        vars: role,
      });
      return step(
        byId(jobs, 'model'),
        "Pull the data by hash (the fork's remote, from DVC_REMOTE_URL)",
      );
    };

    it('skips the OIDC step with a notice (no id-token in a fork) and falls back to the data cache', async () => {
      const pull = await forkPull(
        await pushed({ 'README.md': '# a fork’s change\n' }, 'A fork’s change'),
      );
      expect(pull?.note).toContain('fork: success');
      expect(pull?.note).toContain('oidc: skipped');
      expect(pull?.output).toContain(
        '::notice title=pull-data::a pull request from a fork gets no OIDC token',
      );
      // The walk's cache is cold, so the pull without keys fails, as on GitHub without a cached data.dvc.
      expect(pull?.output).toContain('no AWS credentials found');
    }, 300_000);

    it('fails when pull-data assumes the role in a fork’s pull request (id-token: write is not given)', async () => {
      const action = await readFile(join(ROOT, '.github/actions/pull-data/action.yml'), 'utf8');
      const broken = action.replace(
        "if: inputs.aws-role-arn != '' && steps.fork.outcome != 'success'",
        "if: inputs.aws-role-arn != ''",
      );
      expect(broken).not.toBe(action);
      const pull = await forkPull(
        await pushed({ '.github/actions/pull-data/action.yml': broken }, 'No fork guard'),
      );
      expect(pull?.note).toContain(
        "oidc: failure (needs id-token: write, which the job's permissions: do not give)",
      );
    }, 300_000);
  });

  it('a pull request from a branch of the repository walks the whole checks job', async () => {
    const origin = await pushed({ 'README.md': '# a change\n' }, 'A change');
    const start = pullRequestEvent(origin, REPOSITORY, REPOSITORY);
    // Only the checks job: the push of params.yaml walks the retrain and the gate.
    const text = (await workflowText('pr.yml')).replace(/\n {2}model:[\s\S]*$/, '\n');
    const jobs = await run('pr.yml', origin, start, { text });
    const checks = byId(jobs, 'checks')!;
    expect(
      checks.status,
      `${checks.reason}\n${checks.steps.map((x) => `${x.where}: ${x.note}\n${x.output}`).join('\n')}`,
    ).toBe('success');
    expect(checks.steps.map((x) => [x.where.slice('pr.yml:checks:'.length), x.status])).toEqual([
      ['actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd', 'success'],
      ['actions/setup-node@48b55a011bda9f5d6aeb4c2d9c7362e8dae4041e', 'success'],
      ['Prometheus 2.42.0 and Alertmanager 0.25.0 (promtool, amtool, the live tests)', 'success'],
      ['Run npm ci', 'success'],
      [
        'Lint (ESLint, Prettier, tsc, workflows, actions, pipeline and monitoring config)',
        'success',
      ],
      ['Cache the DVC data by its hash', 'skipped'],
      ["Pull the data by hash (the fork's remote, from DVC_REMOTE_URL)", 'success'],
      ['Run npm test', 'success'],
      ['The committed action bundles are current', 'success'],
    ]);
    const tests = step(checks, 'Run npm test')!;
    expect(tests.note).toContain('substituted');
    // GITHUB_PATH: the Prometheus step's folder comes first for the steps after it.
    expect(tests.output).toMatch(/promtool: \/.*\/prometheus-tools\/usr\/bin\/promtool/);
    expect(stripVTControlCharacters(tests.output)).toMatch(/Test Files +1 passed/);
    expect(
      step(
        checks,
        'Lint (ESLint, Prettier, tsc, workflows, actions, pipeline and monitoring config)',
      )?.note,
    ).toContain('checks forced');
  }, 300_000);

  describe('a push to main changing params.yaml', () => {
    let origin: Origin;
    let artifacts: string;
    let jobs: JobRecord[];
    let baseline: string;
    beforeAll(async () => {
      // Production runs model-v1; model-v2 is newer (rolled back): the gate's baseline must be model-v1.
      // model-v1 was trained before this tuning (fewer rounds): had it the retrain's very bytes,
      // ct.yml would release nothing (a retrain without new data makes production's own model).
      const earlier = join(await mkdtemp(join(tmpdir(), 'walk-ct-params-')), 'params.yaml');
      await writeFile(
        earlier,
        (await readFile(join(ROOT, 'params.yaml'), 'utf8')).replace(
          'max_rounds: 500',
          'max_rounds: 100',
        ),
      );
      const model = await trainModel(['--params', earlier]);
      await rm(dirname(earlier), { recursive: true, force: true });
      const card = JSON.parse(await readFile(join(model, 'model.card.json'), 'utf8')) as {
        model_version: string;
      };
      baseline = card.model_version;
      await seedReleases(github, model, 'gbdt-222222222222');
      await rm(model, { recursive: true, force: true });
      const params = await readFile(join(ROOT, 'params.yaml'), 'utf8');
      const production = (await readFile(join(ROOT, 'deploy/production.yml'), 'utf8'))
        .replace(
          'image: null',
          `image: ghcr.io/${REPOSITORY}/housing-service@sha256:${'0'.repeat(64)}`,
        )
        .replace('model_version: null', `model_version: ${baseline}`);
      origin = await pushed(
        { 'params.yaml': `${params}# retrain\n`, 'deploy/production.yml': production },
        'Tune the model',
      );
      await seedMain(origin);
      github.attestations.length = 0;
      artifacts = await mkdtemp(join(tmpdir(), 'walk-ct-artifacts-'));
      jobs = await run('ct.yml', origin, pushEvent(origin, REPOSITORY, 'Tune the model'), {
        artifacts,
      });
    }, 600_000);
    afterAll(() => rm(artifacts, { recursive: true, force: true }));

    it('pulls the data over S3 before it validates and before it retrains', () => {
      expect(summary(jobs)).toEqual({
        validate: 'success',
        retrain: 'success',
        release: 'success',
      });
      for (const id of ['validate', 'retrain']) {
        const job = byId(jobs, id)!;
        const names = job.steps.map((s) => s.where.slice(`ct.yml:${id}:`.length));
        const pull = names.indexOf(
          "Pull the data by hash (the fork's remote, from DVC_REMOTE_URL)",
        );
        const next = names.indexOf(id === 'validate' ? 'validate' : 'retrain');
        expect(pull, names.join(' | ')).toBeGreaterThan(-1);
        expect(pull).toBeLessThan(next);
        const pulled = job.steps[pull]!;
        expect(pulled.status, pulled.output).toBe('success');
        expect(pulled.note).toContain('Name the fork');
        expect(pulled.note).toContain('The built-in pull: success');
        expect(pulled.note).toContain('Set up Python for DVC: skipped');
        expect(pulled.output).toContain(
          `from s3 remote 'fork' (s3://${BUCKET}/dvc at ${s3.endpoint})`,
        );
      }
    });

    it('gates against the release deploy/production.yml names, not the newest', () => {
      // A new model, not production's own: the release goes ahead.
      expect(step(byId(jobs, 'retrain'), 'production')?.outputs.identical).toBe('false');
      const gate = step(byId(jobs, 'retrain'), 'gate');
      expect(gate?.status, gate?.output).toBe('success');
      expect(gate?.output).toContain(`baseline: ${baseline}, release model-v1`);
    });

    it('passes outputs between jobs and names artifacts per attempt', async () => {
      const retrain = byId(jobs, 'retrain')!;
      const version = retrain.outputs['model-version']!;
      expect(version).toMatch(/^[a-z]+-[0-9a-f]{12}$/);
      expect(retrain.outputs['model-artifact']).toBe(`model-${version}-attempt-1`);
      expect((await readdir(artifacts)).sort()).toEqual([
        `model-${version}-attempt-1`,
        `record-model-${version}-attempt-1`,
        'validation-report-attempt-1',
      ]);
      const release = byId(jobs, 'release')!;
      expect(step(release, 'Download the gated model')).toMatchObject({
        status: 'success',
        inputs: { name: `model-${version}-attempt-1`, path: 'candidate' },
      });
      expect(
        release.reason,
        release.steps.map((x) => `${x.where}: ${x.note}\n${x.output}`).join('\n'),
      ).toBe('every step passed');
      expect(step(release, 'image')?.outputs.image).toBe(
        `ghcr.io/${REPOSITORY}/housing-service@${DIGEST}`,
      );
    });

    it('attests the image and the model, publishes the model, and proposes both with dvc.lock and the reports', async () => {
      const retrain = byId(jobs, 'retrain')!;
      const version = retrain.outputs['model-version']!;
      const model = await readFile(
        join(artifacts, `model-${version}-attempt-1`, 'artifacts/model.onnx'),
      );
      expect(github.attestations.map((a) => a.subjects)).toEqual([
        [
          {
            name: `ghcr.io/${REPOSITORY}/housing-service`,
            digest: { sha256: DIGEST.slice('sha256:'.length) },
          },
        ],
        [
          {
            name: 'model.onnx',
            digest: { sha256: createHash('sha256').update(model).digest('hex') },
          },
        ],
      ]);
      const release = byId(jobs, 'release')!;
      expect(release.concurrency).toBe('promote-staging');
      const published = step(release, 'publish');
      expect(published?.status, published?.output).toBe('success');
      // Production's model-v1 was trained before the tuning, so the retrain is a new
      // model (ct.yml would release nothing were it production's own): publish-model
      // creates its release, numbered after the newest, model-v2.
      expect(published?.outputs).toMatchObject({ tag: 'model-v3', created: 'true' });
      const files = promotedFiles();
      const reports = retrain.outputs['report-paths']!.split('\n').filter(Boolean);
      expect(reports.length).toBeGreaterThan(0);
      for (const path of ['deploy/staging.yml', retrain.outputs['lock-path']!, ...reports])
        expect(files.has(path), `${path} in ${[...files.keys()].join(', ')}`).toBe(true);
      expect(files.get('deploy/staging.yml')).toContain(`model_version: ${version}`);
      expect(
        github.pulls.filter((p) => p.head === 'promote/staging' && p.state === 'open'),
      ).toHaveLength(1);
    });

    it('a re-run (attempt 2) uploads under new names; without the attempt in the name it fails with 409', async () => {
      // Only the validate job: the retrain of these copies would prove nothing more.
      const validateOnly = (text: string) => text.replace(/\n {2}retrain:[\s\S]*$/, '\n');
      const committed = validateOnly(await workflowText('ct.yml'));
      const again = await run('ct.yml', origin, pushEvent(origin, REPOSITORY, 'Tune the model'), {
        text: committed,
        artifacts,
        runAttempt: 2,
      });
      expect(byId(again, 'validate')?.status, byId(again, 'validate')?.reason).toBe('success');
      expect(await readdir(artifacts)).toContain('validation-report-attempt-2');
      // The defect reintroduced in memory: one name for every attempt.
      const text = committed.replace(
        'name: validation-report-attempt-${{ github.run_attempt }}',
        'name: validation-report',
      );
      expect(text).not.toBe(committed);
      const first = await run('ct.yml', origin, pushEvent(origin, REPOSITORY, 'Tune the model'), {
        text,
        artifacts,
        runAttempt: 1,
      });
      expect(byId(first, 'validate')?.status).toBe('success');
      const second = await run('ct.yml', origin, pushEvent(origin, REPOSITORY, 'Tune the model'), {
        text,
        artifacts,
        runAttempt: 2,
      });
      expect(byId(second, 'validate')?.reason).toMatch(
        /Upload the validation report: 409 Conflict: an artifact named validation-report exists in this run/,
      );
    }, 600_000);
  });

  it('the relay’s workflow_dispatch of ct.yml reaches the run with its reason, group and alerts', async () => {
    github.releases.length = 0;
    const origin = await pushed({}, 'nothing changed');
    const inputs = {
      reason: 'HousingDataDrift firing',
      group_key: '{}:{alertname="HousingDataDrift"}',
      alerts: '[{"labels":{"alertname":"HousingDataDrift","note":"::add-mask::x"}}]',
    };
    const start = dispatchEvent(REPOSITORY, 'ct.yml', inputs);
    const all = await Promise.all(
      ['ct.yml', 'image.yml', 'deploy.yml'].map(async (f) =>
        parseWorkflow(f, await workflowText(f)),
      ),
    );
    const trigger = {
      event: 'workflow_dispatch' as const,
      branch: 'main',
      changed: [],
      dispatched: 'ct.yml',
    };
    expect(all.filter((w) => skipReason(w, trigger) === null).map((w) => w.file)).toEqual([
      'ct.yml',
    ]);
    await seedMain(origin);
    github.attestations.length = 0;
    // The whole workflow, as on GitHub: nothing is promoted yet, so the gate
    // keeps its absolute limits and the release is the first.
    const jobs = await run('ct.yml', origin, start, { inputs });
    const why = step(byId(jobs, 'validate'), 'Say why this run started');
    expect(why?.status).toBe('success');
    expect(why?.output).toContain(`Triggered by workflow_dispatch: ${inputs.reason}`);
    expect(why?.output).toContain(`Alert group: ${inputs.group_key}`);
    expect(why?.output).toContain(`Alerts: ${inputs.alerts}`);
    expect(byId(jobs, 'validate')?.status, byId(jobs, 'validate')?.reason).toBe('success');
    const release = byId(jobs, 'release')!;
    expect(summary(jobs), release.reason).toEqual({
      validate: 'success',
      retrain: 'success',
      release: 'success',
    });
    expect(github.attestations).toHaveLength(2);
    expect(step(release, 'publish')?.outputs).toMatchObject({ tag: 'model-v1', created: 'true' });
    const version = byId(jobs, 'retrain')!.outputs['model-version']!;
    const files = promotedFiles();
    expect(files.get('deploy/staging.yml')).toContain(`model_version: ${version}`);
    expect(files.has('dvc.lock')).toBe(true);
  }, 600_000);
});

/**
 * The loopback GitHub's model registry: model-v2, the newest, holds a model
 * whose card names `newer`; model-v1 holds `modelDir`'s, as publish-model
 * makes them (actions/test/model-releases.ts).
 */
async function seedReleases(github: FakeGitHub, modelDir: string, newer: string): Promise<void> {
  const v2 = await mkdtemp(join(tmpdir(), 'walk-model-v2-'));
  try {
    await cp(modelDir, v2, { recursive: true });
    const card = JSON.parse(await readFile(join(v2, 'model.card.json'), 'utf8')) as object;
    await writeFile(join(v2, 'model.card.json'), JSON.stringify({ ...card, model_version: newer }));
    github.releases.length = 0;
    github.releases.push(
      await modelRelease(2, 'model-v2', '2026-11-02T00:00:00Z', v2),
      await modelRelease(1, 'model-v1', '2026-11-01T00:00:00Z', modelDir),
    );
  } finally {
    await rm(v2, { recursive: true, force: true });
  }
}
