import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { readModelCard } from '@housing/model-card/read';
import { runShell } from '@housing/pipeline/run-stages';
import { ConfigurationError } from '@housing/core/errors';
import { booleanInput, stringInput } from '../../shared/inputs.ts';
import { markdownTable } from '../../shared/markdown.ts';
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

export function getInputs(): Inputs {
  const images = stringInput('images')
    .split(/[\n,]/)
    .map((i) => i.trim())
    .filter(Boolean);
  for (const image of images)
    if (
      !/^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*$/.test(image) ||
      /:[^/]*$/.test(image.replace(/^[^/]*:\d+\//, ''))
    )
      throw new ConfigurationError(
        `input 'images': '${image}' must be a lower-case image name without a tag`,
      );
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

/** The event facts the tags need, from the runner's environment and payload. */
async function eventFacts(env = process.env) {
  const payload = env.GITHUB_EVENT_PATH
    ? (JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as {
        repository?: { default_branch?: string };
        pull_request?: { number?: number };
        number?: number;
      })
    : {};
  const sha = env.GITHUB_SHA ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha))
    throw new ConfigurationError(`GITHUB_SHA is not a commit SHA: '${sha}'`);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha,
    defaultBranch: payload.repository?.default_branch,
    pullRequestNumber: payload.pull_request?.number ?? payload.number,
    repositoryUrl: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}`,
    // SOURCE_DATE_EPOCH makes the created label reproducible, as buildx does.
    created: new Date(
      env.SOURCE_DATE_EPOCH ? Number(env.SOURCE_DATE_EPOCH) * 1000 : Date.now(),
    ).toISOString(),
  };
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Computes tags, labels and annotations; with push, builds and pushes, and outputs the digest. */
export function run(): Promise<void> {
  return runAction(async () => {
    const inputs = getInputs();
    const facts = await eventFacts();
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
    if (inputs.push) {
      const dir = await mkdtemp(join(tmpdir(), 'tag-image-'));
      try {
        const metadata = join(dir, 'metadata.json');
        const command = [
          'docker buildx build --push',
          `--platform ${quote(inputs.platforms)}`,
          `--file ${quote(inputs.file)}`,
          `--metadata-file ${quote(metadata)}`,
          ...refs.map((r) => `--tag ${quote(r)}`),
          ...labelLines.map((l) => `--label ${quote(l)}`),
          ...annotations.map((a) => `--annotation ${quote(a)}`),
          quote(inputs.context),
        ].join(' ');
        const code = await core.group('docker buildx build --push', () =>
          runShell(command, process.cwd()),
        );
        if (code !== 0)
          throw new Error(`docker buildx build exited with ${code}; see the log above`);
        digest = (JSON.parse(await readFile(metadata, 'utf8')) as Record<string, string>)[
          'containerimage.digest'
        ];
        if (!digest)
          throw new Error('docker buildx wrote no containerimage.digest to its metadata file');
        core.setOutput('digest', digest);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    await core.summary
      .addRaw(
        [
          `## Image tags${digest ? ` (pushed: \`${digest}\`)` : ''}`,
          markdownTable(
            ['tag'],
            refs.map((r) => [`\`${r}\``]),
          ),
          markdownTable(['label', 'value'], Object.entries(labels)),
        ].join('\n\n'),
        true,
      )
      .write();
  });
}
