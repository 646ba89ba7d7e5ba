import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '@housing/test-support/root';

// What each workflow must do on github.com, read from the YAML as a runner
// reads it: which jobs pull the data, how artifacts are named, when each
// deploy runs, which token promotes, which Prometheus the checks install.

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  'runs-on'?: unknown;
  permissions?: Record<string, string>;
  concurrency?: Record<string, unknown>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  concurrency?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const workflow = (name: string) => parse(read(`.github/workflows/${name}`)) as Workflow;
const WORKFLOWS = ['ct.yml', 'deploy.yml', 'image.yml', 'pr.yml'] as const;
const allJobs = () =>
  WORKFLOWS.flatMap((file) =>
    Object.entries(workflow(file).jobs).map(([name, job]) => ({ where: `${file}: ${name}`, job })),
  );

const PULL = './.github/actions/pull-data';
/** A step that reads data/: the test suites, validation, training. */
const readsData = (s: Step) =>
  s.run === 'npm test' || s.uses === './actions/validate-data' || s.uses === './actions/retrain';

describe('the data, in every job that reads it', () => {
  it('is pulled through the composite action before the first step that reads it', () => {
    const readers = allJobs().filter(({ job }) => job.steps.some(readsData));
    expect(readers.map((r) => r.where).sort()).toEqual([
      'ct.yml: retrain',
      'ct.yml: validate',
      'pr.yml: checks',
      'pr.yml: model',
    ]);
    for (const { where, job } of readers) {
      const pull = job.steps.findIndex((s) => s.uses === PULL);
      expect(pull, where).toBeGreaterThanOrEqual(0);
      expect(pull, where).toBeLessThan(job.steps.findIndex(readsData));
      // The fork's remote and credentials, the same in every job.
      expect(job.steps[pull]!.with, where).toEqual({
        'remote-url': '${{ vars.DVC_REMOTE_URL }}',
        'remote-endpoint': '${{ vars.DVC_REMOTE_ENDPOINT }}',
        'aws-role-arn': '${{ vars.AWS_ROLE_ARN }}',
        'aws-region': '${{ vars.AWS_REGION }}',
      });
      expect(Object.keys(job.steps[pull]!.env ?? {}).sort(), where).toEqual([
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'DVC_HTTP_AUTH_HEADER',
        'DVC_HTTP_PASSWORD',
        'DVC_HTTP_USER',
      ]);
      // Nothing is left of the old direct pull.
      expect(
        job.steps.some((s) => s.run?.includes('data:pull')),
        where,
      ).toBe(false);
    }
  });

  it('gets id-token: write exactly where the pull or an attestation runs, and AWS credentials only inside the composite', () => {
    for (const { where, job } of allJobs()) {
      const pulls = job.steps.some((s) => s.uses === PULL);
      // Sigstore's signing certificate comes from the job's OIDC token too.
      const attests = job.steps.some((s) => s.uses?.startsWith(ATTEST));
      expect(job.permissions?.['id-token'], where).toBe(pulls || attests ? 'write' : undefined);
      expect(
        job.steps.some((s) => s.uses?.startsWith('aws-actions/')),
        where,
      ).toBe(false);
    }
  });

  it('is pulled with AWS OIDC inside the composite, only when a role is given', () => {
    const action = parse(read('.github/actions/pull-data/action.yml')) as {
      inputs: Record<string, { default?: string }>;
      runs: { steps: Step[] };
    };
    expect(action.inputs['aws-role-arn']?.default).toBe('');
    const oidc = action.runs.steps.filter((s) => s.uses?.startsWith('aws-actions/'));
    expect(oidc).toHaveLength(1);
    expect(oidc[0]!.uses).toMatch(/^aws-actions\/configure-aws-credentials@[0-9a-f]{40}$/);
    // Not in a fork's pull request, which gets no OIDC token (the step before says so).
    expect(oidc[0]!.if).toBe("inputs.aws-role-arn != '' && steps.fork.outcome != 'success'");
    expect(action.runs.steps[0]!.id).toBe('fork');
    expect(action.runs.steps[0]!.if).toContain(
      'github.event.pull_request.head.repo.full_name != github.repository',
    );
    expect(oidc[0]!.with?.['role-to-assume']).toBe('${{ inputs.aws-role-arn }}');
    // Before the pull itself.
    expect(action.runs.steps.indexOf(oidc[0]!)).toBe(1);
  });
});

/** actions/attest-build-provenance, by the commit of its v4.1.0 tag (git rev-parse v4.1.0^{commit}). */
const ATTEST = 'actions/attest-build-provenance@';
const ATTEST_PIN = `${ATTEST}a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32`;

describe('build provenance', () => {
  /** The job's steps that attest, each with what it attests. */
  const attestations = (job: Job) => job.steps.filter((s) => s.uses?.startsWith(ATTEST));
  /** The image attestation: the pushed digest, under the name tag-image pushed (lower-cased), in the registry too. */
  const expectImageAttested = (job: Job, where: string) => {
    const subject = job.steps.find((s) => s.id === 'subject')!;
    expect(subject.env, where).toEqual({ IMAGE: '${{ steps.image.outputs.image }}' });
    expect(subject.run, where).toBe('echo "name=${IMAGE%@*}" >> "$GITHUB_OUTPUT"');
    const image = attestations(job).find((s) => s.with?.['subject-digest'])!;
    expect(image.with, where).toEqual({
      'subject-name': '${{ steps.subject.outputs.name }}',
      'subject-digest': '${{ steps.image.outputs.digest }}',
      'push-to-registry': true,
    });
    const push = job.steps.findIndex((s) => s.uses === './actions/tag-image');
    expect(job.steps.indexOf(subject), where).toBeGreaterThan(push);
    expect(job.steps.indexOf(image), where).toBeGreaterThan(job.steps.indexOf(subject));
    // Before anyone is asked to deploy it.
    expect(job.steps.indexOf(image), where).toBeLessThan(
      job.steps.findIndex((s) => s.uses === './actions/promote'),
    );
    expect(job.permissions, where).toMatchObject({
      'id-token': 'write',
      attestations: 'write',
    });
  };

  it('pins actions/attest-build-provenance by the commit of its v4.1.0 tag, everywhere', () => {
    const files = ['ct.yml', 'image.yml'];
    const steps = files.flatMap((f) =>
      Object.values(workflow(f).jobs).flatMap((job) => attestations(job)),
    );
    expect(steps).toHaveLength(3);
    for (const step of steps) expect(step.uses).toBe(ATTEST_PIN);
    for (const f of files)
      for (const line of read(`.github/workflows/${f}`)
        .split('\n')
        .filter((l) => l.includes(ATTEST)))
        expect(line.trim()).toBe(`uses: ${ATTEST_PIN} # v4.1.0`);
  });

  it("ct.yml's release attests the image and model.onnx before it publishes the release", () => {
    const job = workflow('ct.yml').jobs.release!;
    expectImageAttested(job, 'ct.yml: release');
    const model = attestations(job).find((s) => s.with?.['subject-path'])!;
    expect(model.with).toEqual({ 'subject-path': 'candidate/artifacts/model.onnx' });
    const publish = job.steps.findIndex((s) => s.uses === './actions/publish-model');
    expect(job.steps[publish]!.with?.['model-path']).toBe('candidate/artifacts/model.onnx');
    for (const step of attestations(job)) expect(job.steps.indexOf(step)).toBeLessThan(publish);
  });

  it('image.yml attests the service image it pushes, when it builds one', () => {
    const job = workflow('image.yml').jobs.image!;
    expectImageAttested(job, 'image.yml: image');
    for (const step of [job.steps.find((s) => s.id === 'subject')!, ...attestations(job)])
      expect(step.if).toBe("steps.model.outputs.release != ''");
  });

  it('is verified by every deploy job: attestations: read, and no workflow turns verification off', () => {
    const deploying = Object.entries(workflow('deploy.yml').jobs).filter(([, job]) =>
      job.steps.some((s) => s.uses === './actions/deploy'),
    );
    expect(deploying.map(([name]) => name)).toEqual(['staging', 'production']);
    for (const [name, job] of deploying) {
      expect(job.permissions?.attestations, name).toBe('read');
      const step = job.steps.find((s) => s.uses === './actions/deploy')!;
      expect(step.with, name).not.toHaveProperty('verify-provenance');
      // ghcr.io, the registry's default: this repository's images only.
      expect(step.with, name).not.toHaveProperty('registry');
    }
    for (const file of readdirSync(join(ROOT, '.github/workflows')))
      expect(read(`.github/workflows/${file}`), file).not.toContain('verify-provenance');
  });
});

describe("image.yml's model", () => {
  it('is the one deploy/production.yml names, through the lookup the gate uses, never the newest release', () => {
    const job = workflow('image.yml').jobs.image!;
    const model = job.steps.find((s) => s.id === 'model')!;
    expect(model.uses).toBe('./actions/production-model');
    expect(model.with).toEqual({
      'desired-state': 'deploy/production.yml',
      dir: 'models/production',
    });
    expect(read('.github/workflows/image.yml')).not.toMatch(/gh release (list|download)/);
    // tag-image reads the card of what was fetched.
    const image = job.steps.find((s) => s.uses === './actions/tag-image')!;
    expect(image.with?.card).toBe('models/production/model.card.json');
    expect(job.steps.indexOf(model)).toBeLessThan(job.steps.indexOf(image));
  });
});

describe("the composite's AWS credentials", () => {
  it("give the pull OIDC's credentials over the caller's AWS_* (empty when the secrets are unset)", () => {
    // Inside a composite, the calling step's env: is laid over what an
    // inner step exports to GITHUB_ENV (actions/runner's composite handler:
    // "Stomps over with outside step env"), so the workflows' empty
    // AWS_ACCESS_KEY_ID would hide the keys configure-aws-credentials
    // exports. Its step outputs reach the pull whatever the caller's env is.
    const action = parse(read('.github/actions/pull-data/action.yml')) as {
      runs: { steps: (Step & { shell?: string })[] };
    };
    const oidc = action.runs.steps.find((s) => s.uses?.startsWith('aws-actions/'))!;
    expect(oidc.id).toBeTruthy();
    expect(oidc.with?.['output-credentials']).toBe(true);
    const pulls = action.runs.steps.filter(
      (s) => s.run === 'dvc pull data.dvc' || s.run === 'npm run data:pull',
    );
    expect(pulls).toHaveLength(2);
    for (const pull of pulls)
      expect(pull.env, pull.name).toEqual({
        AWS_ACCESS_KEY_ID: `\${{ steps.${oidc.id}.outputs.aws-access-key-id || env.AWS_ACCESS_KEY_ID }}`,
        AWS_SECRET_ACCESS_KEY: `\${{ steps.${oidc.id}.outputs.aws-secret-access-key || env.AWS_SECRET_ACCESS_KEY }}`,
        AWS_SESSION_TOKEN: `\${{ steps.${oidc.id}.outputs.aws-session-token || env.AWS_SESSION_TOKEN }}`,
      });
  });
});

describe('artifacts, on a re-run', () => {
  const uploads = () =>
    allJobs().flatMap(({ where, job }) =>
      job.steps
        .filter((s) => s.uses?.startsWith('actions/upload-artifact@'))
        .map((s) => ({ where, job, step: s })),
    );

  it('are named per run attempt, so a re-run never meets a name it already used (409)', () => {
    // pr.yml's candidate, ct.yml's validation report, model, and the dvc.lock/reports record.
    expect(uploads().length).toBe(4);
    for (const { where, job, step } of uploads()) {
      const name = String(step.with?.name);
      const named = /^[\w-]*\$\{\{ steps\.(\w+)\.outputs\.name \}\}$/.exec(name);
      if (named) {
        // Named by an earlier step of the job, from the run attempt.
        const namer = job.steps.find((s) => s.id === named[1])!;
        expect(namer.env?.ATTEMPT, where).toBe('${{ github.run_attempt }}');
        expect(namer.run, where).toMatch(/name=.*\$ATTEMPT.*>> "\$GITHUB_OUTPUT"/);
      } else expect(name, where).toContain('${{ github.run_attempt }}');
    }
  });

  it('are downloaded by the name the uploading job reports, which a re-run of the downloader keeps', () => {
    const ct = workflow('ct.yml');
    const downloads = ct.jobs.release!.steps.filter((s) =>
      s.uses?.startsWith('actions/download-artifact@'),
    );
    expect(downloads.map((d) => d.with?.name)).toEqual([
      '${{ needs.retrain.outputs.model-artifact }}',
      'record-${{ needs.retrain.outputs.model-artifact }}',
    ]);
    const upload = ct.jobs.retrain!.steps.find((s) =>
      s.uses?.startsWith('actions/upload-artifact@'),
    )!;
    expect(upload.with?.name).toBe('${{ steps.artifact.outputs.name }}');
    expect(ct.jobs.retrain!.outputs?.['model-artifact']).toBe('${{ steps.artifact.outputs.name }}');
  });
});

describe('deploys', () => {
  const deploy = () => workflow('deploy.yml');

  it('run each environment only when its own desired state changed, or a dispatch names it', () => {
    const { jobs } = deploy();
    const changes = jobs.changes!;
    const step = changes.steps.find((s) => s.run === '.github/scripts/changed-environments.sh')!;
    expect(step.env).toEqual({
      EVENT_NAME: '${{ github.event_name }}',
      BEFORE: '${{ github.event.before }}',
      AFTER: '${{ github.sha }}',
      DISPATCH_ENVIRONMENT: '${{ inputs.environment }}',
    });
    expect(changes.steps[0]!.with?.['fetch-depth']).toBe(0);
    for (const env of ['staging', 'production']) {
      expect(changes.outputs?.[env]).toBe(`\${{ steps.${step.id}.outputs.${env} }}`);
      expect(jobs[env]!.needs).toBe('changes');
      expect(jobs[env]!.if).toBe(`needs.changes.outputs.${env} == 'true'`);
      expect(jobs[env]!['runs-on']).toEqual(['self-hosted', env]);
    }
  });

  it('propose production whatever staging runs and serves, deployed now or by an earlier attempt', () => {
    // A re-run after a failed promotion finds staging already running it
    // (result unchanged): the proposal must still be made, and promote is
    // idempotent. Only a run with nothing promoted sets no model version.
    const steps = deploy().jobs.staging!.steps;
    const deployStep = steps.find((s) => s.uses === './actions/deploy')!;
    for (const step of steps.filter(
      (s) => s.id === 'app-token' || s.uses === './actions/promote',
    )) {
      expect(step.if, step.name).toMatch(
        new RegExp(`^steps\\.${deployStep.id}\\.outputs\\.model-version != ''`),
      );
      expect(step.if, step.name).not.toMatch(/result == 'deployed'/);
    }
  });

  it('queue: a pending deploy or training run is never replaced by a newer one', () => {
    const { jobs } = deploy();
    for (const env of ['staging', 'production'])
      expect(jobs[env]!.concurrency).toEqual({
        group: `deploy-${env}`,
        'cancel-in-progress': false,
        queue: 'max',
      });
    expect(workflow('ct.yml').concurrency).toMatchObject({
      'cancel-in-progress': false,
      queue: 'max',
    });
  });
});

describe('the lint exceptions', () => {
  it('are one: concurrency.queue, which GitHub accepts and actionlint 1.7.7 does not know', () => {
    const config = parse(read('.github/actionlint.yaml')) as {
      paths: Record<string, { ignore: string[] }>;
    };
    const ignores = Object.values(config.paths).flatMap((p) => p.ignore);
    expect(ignores).toEqual(['unexpected key "queue" for "concurrency" section']);
    // It says why, beside it.
    expect(read('.github/actionlint.yaml')).toMatch(/#.*queue.*\n.*actionlint 1\.7\.7/);
  });
});

describe('promotion pull requests', () => {
  it('use a GitHub App token when vars.APP_ID names an App, else GITHUB_TOKEN', () => {
    const promoting = allJobs().filter(({ job }) =>
      job.steps.some((s) => s.uses === './actions/promote'),
    );
    expect(promoting.map((p) => p.where).sort()).toEqual([
      'ct.yml: release',
      'deploy.yml: staging',
      'image.yml: image',
    ]);
    for (const { where, job } of promoting) {
      const app = job.steps.findIndex((s) => s.id === 'app-token');
      const promote = job.steps.findIndex((s) => s.uses === './actions/promote');
      expect(app, where).toBeGreaterThanOrEqual(0);
      expect(app, where).toBeLessThan(promote);
      const token = job.steps[app]!;
      expect(token.uses, where).toMatch(/^actions\/create-github-app-token@[0-9a-f]{40}$/);
      expect(token.if, where).toMatch(/vars\.APP_ID != ''$/);
      expect(token.with, where).toEqual({
        'client-id': '${{ vars.APP_ID }}',
        'private-key': '${{ secrets.APP_PRIVATE_KEY }}',
        'permission-contents': 'write',
        'permission-pull-requests': 'write',
      });
      expect(job.steps[promote]!.with?.['github-token'], where).toBe(
        '${{ steps.app-token.outputs.token || github.token }}',
      );
    }
  });

  it('to staging take turns: ct.yml and image.yml both reset promote/staging, so they share one queue', () => {
    const staging = allJobs().filter(({ job }) =>
      job.steps.some((s) => s.uses === './actions/promote' && s.with?.environment === 'staging'),
    );
    expect(staging.map((p) => p.where).sort()).toEqual(['ct.yml: release', 'image.yml: image']);
    for (const { where, job } of staging)
      expect(job.concurrency, where).toEqual({
        group: 'promote-staging',
        'cancel-in-progress': false,
        queue: 'max',
      });
  });
});

describe("pr.yml's Prometheus and Alertmanager", () => {
  const step = () =>
    workflow('pr.yml').jobs.checks!.steps.find((s) => s.name?.startsWith('Prometheus '))!;

  it('are the versions docker-compose.yml runs, from packages checked by SHA-256', () => {
    const env = step().env!;
    const compose = read('docker-compose.yml');
    const prometheus = /^prometheus\/prometheus_(\d+\.\d+\.\d+)\+ds-[\w.+]+_amd64\.deb$/.exec(
      env.PROMETHEUS_DEB!,
    )?.[1];
    const alertmanager =
      /^prometheus-alertmanager\/prometheus-alertmanager_(\d+\.\d+\.\d+)-[\w.+]+_amd64\.deb$/.exec(
        env.ALERTMANAGER_DEB!,
      )?.[1];
    expect(compose).toContain(`image: prom/prometheus:v${prometheus}\n`);
    expect(compose).toContain(`image: prom/alertmanager:v${alertmanager}\n`);
    expect(env.PROMETHEUS_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(env.ALERTMANAGER_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(step().run).toMatch(/sha256sum --check --strict/);
    // Checked before anything in them is unpacked or put on the PATH.
    const run = step().run!;
    expect(run.indexOf('sha256sum')).toBeLessThan(run.indexOf('dpkg-deb'));
    expect(run).not.toMatch(/apt-get install/);
  });
});

describe('Dependabot', () => {
  interface Update {
    'package-ecosystem': string;
    directory?: string;
    directories?: string[];
    groups?: Record<string, unknown>;
  }
  const updates = () =>
    (parse(read('.github/dependabot.yml')) as { version: number; updates: Update[] }).updates;
  const dirs = (ecosystem: string) =>
    updates()
      .filter((u) => u['package-ecosystem'] === ecosystem)
      .flatMap((u) => u.directories ?? [u.directory!]);

  it('covers the pinned actions (workflows and the composite), npm, each Dockerfile and DVC', () => {
    expect(dirs('github-actions')).toEqual(['/', '/.github/actions/pull-data']);
    expect(dirs('npm')).toEqual(['/']);
    // Every Dockerfile's directory, and no other.
    const dockerfiles = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !['.git', 'node_modules'].includes(d.name))
      .flatMap((d) =>
        readdirSync(join(ROOT, d.name), { recursive: true, encoding: 'utf8' }).map((f) =>
          join(d.name, f),
        ),
      )
      .filter((f) => basename(f) === 'Dockerfile' && !f.includes('node_modules'))
      .map((f) => `/${dirname(f)}`);
    expect(dirs('docker').sort()).toEqual(dockerfiles.sort());
    expect(dockerfiles.length).toBe(2);
    expect(dirs('pip')).toEqual(['/.github/actions/pull-data']);
    expect(read('.github/actions/pull-data/requirements.txt')).toMatch(/^dvc\[.*\]==\d/m);
    for (const u of updates())
      if (u['package-ecosystem'] !== 'pip') expect(u.groups, u['package-ecosystem']).toBeDefined();
  });
});
