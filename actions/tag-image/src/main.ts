import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { readModelCard } from '@housing/model-card/read';
import { ConfigurationError } from '@housing/core/errors';
import { booleanInput, stringInput } from '../../shared/inputs.ts';
import { execProgram } from '../../shared/exec.ts';
import { byDigest, imageName, isDigest } from '../../shared/image-ref.ts';
import { runAction } from '../../shared/run.ts';
import { computeLabels, computeTags } from './tags.ts';

/** The inputs of action.yml, read once. */
export interface Inputs {
  images: string[];
  card: string | undefined;
  modelVersion: string | undefined;
  dataMd5: string | undefined;
  push: boolean;
  context: string;
  file: string;
  platforms: string;
}

/** Reads the inputs; every image name is lower-cased and checked before anything is built. */
export function getInputs(): Inputs {
  const images = stringInput('images')
    .split(/[\n,]/)
    .map((i) => i.trim())
    .filter(Boolean)
    .map((image) => imageName(image, "input 'images'"));
  return {
    images,
    card: core.getInput('card') || undefined,
    modelVersion: core.getInput('model-version') || undefined,
    dataMd5: core.getInput('data-md5') || undefined,
    push: booleanInput('push', false),
    context: stringInput('context', '.'),
    file: stringInput('file', 'service/Dockerfile'),
    platforms: stringInput('platforms', 'linux/amd64'),
  };
}

/** The event facts the tags need, from `github.context` (the runner's environment and payload). */
function eventFacts(env = process.env) {
  const sha = context.sha ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha))
    throw new ConfigurationError(`GITHUB_SHA is not a commit SHA: '${sha}'`);
  const payload = context.payload;
  return {
    eventName: context.eventName ?? '',
    ref: context.ref ?? '',
    sha,
    defaultBranch: payload.repository?.default_branch as string | undefined,
    pullRequestNumber: (payload.pull_request?.number ?? payload.number) as number | undefined,
    repositoryUrl: `${context.serverUrl}/${env.GITHUB_REPOSITORY ?? ''}`,
    // SOURCE_DATE_EPOCH makes the created label reproducible, as buildx does.
    created: new Date(
      env.SOURCE_DATE_EPOCH ? Number(env.SOURCE_DATE_EPOCH) * 1000 : Date.now(),
    ).toISOString(),
  };
}

/** Builds and pushes every ref with buildx; returns the pushed digest. */
async function buildAndPush(
  inputs: Inputs,
  refs: string[],
  labelLines: string[],
  annotations: string[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tag-image-'));
  try {
    const metadata = join(dir, 'metadata.json');
    await core.group('docker buildx build --push', () =>
      execProgram(
        'docker',
        [
          'buildx',
          'build',
          '--push',
          '--platform',
          inputs.platforms,
          '--file',
          inputs.file,
          '--metadata-file',
          metadata,
          ...refs.flatMap((r) => ['--tag', r]),
          ...labelLines.flatMap((l) => ['--label', l]),
          ...annotations.flatMap((a) => ['--annotation', a]),
          inputs.context,
        ],
        // Every tag, label and annotation is in the log already.
        { label: ['docker', 'buildx', 'build'] },
      ),
    );
    const digest = (JSON.parse(await readFile(metadata, 'utf8')) as Record<string, string>)[
      'containerimage.digest'
    ];
    // buildx writes the pushed manifest's (or index's) digest here with either
    // driver: docker-container's exporter reports it, and the docker driver
    // asks the registry for it after its own push.
    if (!digest || !isDigest(digest))
      throw new Error(
        `docker buildx wrote no sha256 containerimage.digest to its metadata file (got ${JSON.stringify(digest ?? null)})`,
      );
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The job summary: every tag, then every label. */
async function writeSummary(
  refs: string[],
  labels: Record<string, string>,
  digest: string | undefined,
): Promise<void> {
  const header = (...names: string[]) => names.map((data) => ({ data, header: true }));
  await core.summary
    .addRaw(`## Image tags${digest ? ` (pushed: \`${digest}\`)` : ''}`, true)
    .addTable([header('tag'), ...refs.map((r) => [`<code>${r}</code>`])])
    .addTable([header('label', 'value'), ...Object.entries(labels)])
    .write();
}

/** Computes tags, labels and annotations; with push, builds and pushes, and outputs the image by digest. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const facts = eventFacts();
    let { modelVersion, dataMd5 } = inputs;
    if (inputs.card) {
      const card = await readModelCard(inputs.card);
      modelVersion ??= card.model_version;
      dataMd5 ??= card.data.md5;
    }
    const tags = computeTags({ ...facts, modelVersion });
    const labels = computeLabels({ ...facts, version: tags[0]!, modelVersion, dataMd5 });
    const refs = inputs.images.flatMap((image) => tags.map((t) => `${image}:${t}`));
    const labelLines = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    const annotations = labelLines.map((l) => `index:${l}`);

    core.setOutput('tags', refs.join('\n'));
    core.setOutput('labels', labelLines.join('\n'));
    core.setOutput('annotations', annotations.join('\n'));
    core.setOutput('version', tags[0]!);

    let digest: string | undefined;
    if (modelVersion) core.setOutput('model-version', modelVersion);
    if (inputs.push) {
      digest = await buildAndPush(inputs, refs, labelLines, annotations);
      core.setOutput('digest', digest);
      // What promotion and deploys name: the first image, by digest.
      core.setOutput('image', byDigest(inputs.images[0]!, digest));
    }
    await writeSummary(refs, labels, digest);
  });
}
