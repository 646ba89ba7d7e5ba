/**
 * The named allow-list of third-party actions the walk emulates by their
 * effect. A `uses:` that is neither the project's own nor listed here fails the
 * walk, naming the step, so a new step cannot slip by untested.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** What an emulated step did. */
export type Emulated =
  | { status: 'success'; note: string; outputs?: Record<string, string> }
  | { status: 'skipped'; note: string }
  | { status: 'failure'; note: string }
  | { status: 'not emulated'; note: string };

/** What an emulation may touch: the job's workspace, the run's artifact folder, the checkout. */
export interface EmulationContext {
  workspace: string;
  artifacts: string;
  checkout(): Promise<void>;
  /** The loopback GitHub the run talks to, the repository and the workflow that runs. */
  api: { url: string; token: string; repository: string; workflow: string };
}

type Emulation = (inputs: Record<string, string>, ctx: EmulationContext) => Promise<Emulated>;

const lines = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The deepest folder that holds every path (upload-artifact's root for the names inside). */
function commonRoot(paths: string[]): string {
  const parts = paths.map((p) => dirname(p).split(sep));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

const upload: Emulation = async (inputs, ctx) => {
  const name = inputs.name ?? 'artifact';
  const target = join(ctx.artifacts, name);
  // GitHub refuses a second artifact of one name in one run (409 Conflict).
  if (existsSync(target))
    return {
      status: 'failure',
      note: `409 Conflict: an artifact named ${name} exists in this run`,
    };
  const paths = lines(inputs.path)
    .map((p) => resolve(ctx.workspace, p))
    .filter((p) => existsSync(p));
  if (paths.length === 0)
    return { status: 'failure', note: `no files found for ${inputs.path ?? ''}` };
  const root = commonRoot(paths);
  for (const path of paths) await cp(path, join(target, relative(root, path)), { recursive: true });
  return {
    status: 'success',
    note: `artifact ${name}: ${paths.map((p) => relative(ctx.workspace, p)).join(', ')}`,
  };
};

const download: Emulation = async (inputs, ctx) => {
  const name = inputs.name ?? '';
  const source = join(ctx.artifacts, name);
  if (!existsSync(source))
    return { status: 'failure', note: `no artifact named ${name} in this run` };
  const target = resolve(ctx.workspace, inputs.path ?? '.');
  await mkdir(target, { recursive: true });
  await cp(source, target, { recursive: true });
  return {
    status: 'success',
    note: `artifact ${name} -> ${inputs.path ?? '.'} (${(await readdir(source)).join(', ')})`,
  };
};

/** SLSA build provenance, the predicate attest-build-provenance signs. */
const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';

/**
 * actions/attest-build-provenance by its effect on GitHub: one attestation of
 * the subject (a file's sha256 and name, or a name and a given digest) stored
 * through the repository's attestations API, which deploy's
 * `gh attestation verify` lists by digest. Nothing is signed (no Sigstore), and
 * push-to-registry has no registry to push to (docker is the stand-in).
 */
const attest: Emulation = async (inputs, ctx) => {
  let name = inputs['subject-name'] ?? '';
  let digest = inputs['subject-digest'] ?? '';
  if (inputs['subject-path']) {
    const path = resolve(ctx.workspace, inputs['subject-path']);
    if (!existsSync(path))
      return { status: 'failure', note: `subject-path ${inputs['subject-path']}: no such file` };
    digest = `sha256:${createHash('sha256')
      .update(await readFile(path))
      .digest('hex')}`;
    name ||= basename(path);
  }
  // push-to-registry names the image in the registry, where a name is lower case only.
  if (inputs['push-to-registry'] === 'true' && name !== name.toLowerCase())
    return {
      status: 'failure',
      note: `subject-name ${name}: invalid reference format: repository name must be lowercase`,
    };
  if (!/^sha256:[0-9a-f]{64}$/.test(digest) || name === '')
    return {
      status: 'failure',
      note: `no subject: subject-name "${name}", subject-digest "${digest}"`,
    };
  const response = await fetch(`${ctx.api.url}/repos/${ctx.api.repository}/attestations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      bundle: {
        predicateType: SLSA_PROVENANCE,
        subjects: [{ name, digest: { sha256: digest.slice('sha256:'.length) } }],
        workflow: ctx.api.workflow,
      },
    }),
  });
  if (response.status !== 201)
    return {
      status: 'failure',
      note: `POST attestations answered ${response.status}: ${await response.text()}`,
    };
  const { id } = (await response.json()) as { id: number };
  return {
    status: 'success',
    note: `attestation ${id} of ${name}@${digest}${inputs['push-to-registry'] === 'true' ? ' (push-to-registry: no registry here)' : ''}`,
    outputs: {
      'attestation-id': String(id),
      'attestation-url': `https://github.com/${ctx.api.repository}/attestations/${id}`,
    },
  };
};

/**
 * The allow-list, by `owner/repo` (the pinned commit is the lint's business).
 * A step whose effect needs github.com itself (an App token, OIDC to AWS)
 * stops its job's walk when reached.
 */
export const EMULATED: Record<string, { effect: string; run: Emulation }> = {
  'actions/checkout': {
    effect: 'a git clone of the pushed commit, nothing beside it, node_modules hard-linked',
    run: async (_, ctx) => (await ctx.checkout(), { status: 'success', note: 'cloned' }),
  },
  'actions/setup-node': {
    effect: 'nothing: the walk runs on the Node that runs the test',
    run: () => Promise.resolve({ status: 'success', note: `node ${process.version}` }),
  },
  'actions/cache': {
    effect: 'skipped: every walk starts with an empty cache',
    run: () => Promise.resolve({ status: 'skipped', note: 'cache miss (caches are not emulated)' }),
  },
  'actions/upload-artifact': {
    effect: 'a folder per artifact name; a second upload of a name fails with 409',
    run: upload,
  },
  'actions/download-artifact': { effect: 'a copy of that folder', run: download },
  'actions/setup-python': {
    effect: 'absent: DVC cannot be installed here, so pull-data runs with use-dvc false',
    run: () =>
      Promise.resolve({
        status: 'not emulated',
        note: 'Python and DVC are absent on this machine',
      }),
  },
  'actions/create-github-app-token': {
    effect: 'reached only when vars.APP_ID is set, which no scenario does: then not emulated',
    run: () =>
      Promise.resolve({ status: 'not emulated', note: 'a GitHub App token needs github.com' }),
  },
  'aws-actions/configure-aws-credentials': {
    effect:
      'reached only with a role outside a fork’s pull request, which no scenario walks: then not emulated',
    run: () =>
      Promise.resolve({ status: 'not emulated', note: 'OIDC to AWS needs github.com and AWS' }),
  },
  'actions/attest-build-provenance': {
    effect: 'an unsigned attestation of the subject digest, stored in the loopback GitHub',
    run: attest,
  },
};
