/**
 * Issue 16 item 4, proof without github.com: each workflow's YAML walked job by
 * job as a runner would (test/workflow-runner/), in a clone with nothing beside
 * it, with GITHUB_* and event payloads as GitHub sets them, the data remote
 * over S3 (s3rver), the project's actions from their committed bundles, and
 * the loopback GitHub. What the walk emulates and what it does not: README.md,
 * "Proof without github.com".
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRelease,
} from '@housing/test-support/fake-github';
import { housingRemote } from '@housing/test-support/dvc-remote';
import {
  pushDvcRemote,
  S3RVER_ACCOUNT,
  startS3Server,
  type S3Server,
} from '@housing/test-support/s3-remote';
import { ROOT } from '@housing/test-support/root';
import { trainModel } from '@housing/test-support/service';
import { versionMarker } from '@housing/actions/model-release';
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
  },
  compositeInputs: {
    // setup-python and `pip install dvc` cannot run here (no PyPI): the walk
    // treats them as absent, so pull-data takes its built-in pull over S3.
    './.github/actions/pull-data:use-dvc': {
      value: 'false',
      why: 'Python and DVC are absent here',
    },
  },
  // Runs containers (docker compose up, then the service's checks): the real Docker engine.
  needsDocker: ['deploy'],
  // dockerStandIn: set in beforeAll, a docker that records its arguments (login,
  // buildx create, buildx build --push) and writes the metadata file buildx
  // would, with a fixed digest: nothing is built or pushed, the outputs are.
  stopAt: {
    // Downloads Debian packages from deb.debian.org: no internet here.
    'Prometheus 2.42.0 and Alertmanager 0.25.0 (promtool, amtool, the live tests)':
      'downloads from deb.debian.org',
  },
};

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
    } = {},
  ) => {
    const workflow = parseWorkflow(file, options.text ?? (await workflowText(file)));
    return walkWorkflow(workflow, {
      origin,
      event: start.event,
      payload: start.payload,
      ref: start.ref,
      repository: options.repository ?? REPOSITORY,
      vars,
      secrets: options.secrets ?? forkSecrets,
      inputs: options.inputs ?? {},
      runAttempt: options.runAttempt ?? 1,
      ...(options.artifacts ? { artifacts: options.artifacts } : {}),
      apiUrl: github.url,
      token: TOKEN,
      substitutions: SUBSTITUTIONS,
    });
  };

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

  it('a service-only push builds with the model production runs, not the newest release', async () => {
    // model-v2 is the newest release; production was rolled back to model-v1's model.
    // Both hold the run's trained model (tag-image checks the card); model-v2's card names v2.
    const model = await trainModel();
    const card = JSON.parse(await readFile(join(model, 'model.card.json'), 'utf8')) as {
      model_version: string;
    };
    const v1 = card.model_version;
    const v2 = 'gbdt-222222222222';
    const onnx = await readFile(join(model, 'model.onnx'));
    github.releases.length = 0;
    github.releases.push(
      release(2, v2, onnx, { ...card, model_version: v2 }),
      release(1, v1, onnx, card),
    );
    const app = await readFile(join(ROOT, 'service/src/app.ts'), 'utf8');
    const production = (await readFile(join(ROOT, 'deploy/production.yml'), 'utf8'))
      .replace(
        'image: null',
        `image: ghcr.io/housing-org/housing-mlops/housing-service@sha256:${'0'.repeat(64)}`,
      )
      .replace('model_version: null', `model_version: ${v1}`);
    const origin = await pushed(
      { 'service/src/app.ts': `${app}// a service change\n`, 'deploy/production.yml': production },
      'A service change',
    );
    const all = await Promise.all(
      ['ct.yml', 'image.yml'].map(async (f) => parseWorkflow(f, await workflowText(f))),
    );
    const trigger = { event: 'push' as const, branch: 'main', changed: ['service/src/app.ts'] };
    expect(all.map((w) => skipReason(w, trigger))).toEqual([
      'no changed file matches paths (service/src/app.ts)',
      null,
    ]);
    const owner = 'Housing-Org/housing-mlops';
    const start = pushEvent(origin, owner, 'A service change');
    const jobs = await run('image.yml', origin, start, { repository: owner });
    const image = byId(jobs, 'image');
    // The baseline: deploy/production.yml's model-v1, fetched from the loopback GitHub.
    expect(step(image, 'model')?.outputs, step(image, 'model')?.output).toEqual({
      release: 'model-v1',
      'model-version': v1,
    });
    expect(image?.status, `${image?.reason}\n${image?.steps.map((x) => x.output).join('\n')}`).toBe(
      'stopped',
    );
    expect(image?.reason).toBe(
      'image.yml:image:Attest the image’s build provenance (deploy verifies it before pulling): not emulated (Sigstore signing)'.replace(
        '’',
        "'",
      ),
    );
    // An owner with capitals: what tag-image built and what the attestation and promote get is lower case.
    const lowerCaseNames = (records: JobRecord[]) => {
      const names = [
        step(byId(records, 'image'), 'image')?.outputs.image ?? '',
        step(byId(records, 'image'), 'subject')?.outputs.name ?? '',
      ];
      return names.every(
        (n) =>
          n.startsWith('ghcr.io/housing-org/housing-mlops/housing-service') &&
          n === n.toLowerCase(),
      );
    };
    expect(step(image, 'image')?.outputs.image).toBe(
      `ghcr.io/housing-org/housing-mlops/housing-service@${DIGEST}`,
    );
    expect(lowerCaseNames(jobs)).toBe(true);
    // The defect reintroduced in memory: the image named from github.repository as it is.
    const text = (await workflowText('image.yml')).replace(
      'IMAGE: ${{ steps.image.outputs.image }}',
      'IMAGE: ghcr.io/${{ github.repository }}/housing-service@${{ steps.image.outputs.digest }}',
    );
    expect(lowerCaseNames(await run('image.yml', origin, start, { repository: owner, text }))).toBe(
      false,
    );
  }, 300_000);

  it('a pull request from a fork gets no secrets: its pull from the S3 remote fails, no model job step after it runs', async () => {
    const origin = await pushed({ 'README.md': '# a fork’s change\n' }, 'A fork’s change');
    const start = pullRequestEvent(origin, REPOSITORY, 'someone-else/housing-mlops');
    const jobs = await run('pr.yml', origin, start, { secrets: {} });
    expect(byId(jobs, 'checks')?.reason).toBe(
      'pr.yml:checks:Prometheus 2.42.0 and Alertmanager 0.25.0 (promtool, amtool, the live tests): not emulated (downloads from deb.debian.org)',
    );
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
      const onnx = await readFile(join(model, 'model.onnx'));
      const metrics = await readFile(join(model, 'metrics.json'));
      await rm(model, { recursive: true, force: true });
      github.releases.length = 0;
      github.releases.push(
        release(
          2,
          'gbdt-222222222222',
          onnx,
          { ...card, model_version: 'gbdt-222222222222' },
          metrics,
        ),
        release(1, baseline, onnx, card, metrics),
      );
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
        release: 'stopped',
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
      expect(release.reason).toBe(
        "ct.yml:release:Attest the image's build provenance (deploy verifies it before pulling): not emulated (Sigstore signing)",
      );
      expect(step(release, 'image')?.outputs.image).toBe(
        `ghcr.io/${REPOSITORY}/housing-service@${DIGEST}`,
      );
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
    // Only the validate job: the push scenario walks retrain and release.
    const text = (await workflowText('ct.yml')).replace(/\n {2}retrain:[\s\S]*$/, '\n');
    const jobs = await run('ct.yml', origin, start, { text, inputs });
    const why = step(byId(jobs, 'validate'), 'Say why this run started');
    expect(why?.status).toBe('success');
    expect(why?.output).toContain(`Triggered by workflow_dispatch: ${inputs.reason}`);
    expect(why?.output).toContain(`Alert group: ${inputs.group_key}`);
    expect(why?.output).toContain(`Alerts: ${inputs.alerts}`);
    expect(byId(jobs, 'validate')?.status, byId(jobs, 'validate')?.reason).toBe('success');
  }, 600_000);
});

/** A model release as publish-model makes it: its version marker, the graph and the card. */
function release(
  id: number,
  version: string,
  onnx: Buffer,
  card: object,
  metrics?: Buffer,
): FakeRelease {
  return {
    id,
    tag_name: `model-v${id}`,
    draft: false,
    prerelease: false,
    created_at: `2026-11-0${id}T00:00:00Z`,
    body: `${versionMarker(version)}\n\nModel release.`,
    assets: [
      { id: id * 10 + 1, name: 'model.onnx', content: onnx },
      { id: id * 10 + 2, name: 'model.card.json', content: JSON.stringify(card) },
      ...(metrics ? [{ id: id * 10 + 3, name: 'metrics.json', content: metrics }] : []),
    ],
  };
}
