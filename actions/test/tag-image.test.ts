import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTags, type TagContext } from '../tag-image/src/tags.ts';
import { runAction } from './harness.ts';

const SHA = '9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';
const base: TagContext = {
  eventName: 'push',
  ref: 'refs/heads/main',
  sha: SHA,
  defaultBranch: 'main',
  pullRequestNumber: undefined,
  modelVersion: 'gbdt-579950fcf331',
};

describe('computeTags', () => {
  it.each<[string, Partial<TagContext>, string[]]>([
    ['a push to the default branch', {}, ['sha-9c8d7e6', 'model-gbdt-579950fcf331', 'latest']],
    [
      'a push to another branch',
      { ref: 'refs/heads/tune-lr' },
      ['sha-9c8d7e6', 'model-gbdt-579950fcf331'],
    ],
    [
      'a semver tag',
      { ref: 'refs/tags/v1.4.0' },
      ['1.4.0', '1.4', '1', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
    ],
    [
      'a pre-release tag',
      { ref: 'refs/tags/v2.0.0-rc.1' },
      ['2.0.0-rc.1', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
    ],
    [
      'a non-semver tag',
      { ref: 'refs/tags/model-v7' },
      ['model-v7', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
    ],
    [
      'a pull request',
      { eventName: 'pull_request', ref: 'refs/pull/42/merge', pullRequestNumber: 42 },
      ['pr-42', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
    ],
    [
      'workflow_dispatch on the default branch',
      { eventName: 'workflow_dispatch' },
      ['sha-9c8d7e6', 'model-gbdt-579950fcf331', 'latest'],
    ],
    ['no model in the image', { modelVersion: undefined }, ['sha-9c8d7e6', 'latest']],
  ])('%s', (_name, overrides, expected) => {
    expect(computeTags({ ...base, ...overrides })).toEqual(expected);
  });
});

describe('tag-image (bundled dist, with the real event payloads)', () => {
  const inputs = {
    images: 'ghcr.io/housing-mlops/housing-service',
    'model-version': 'gbdt-579950fcf331',
    'data-md5': '7b2f0e1c9a8d6e5f4c3b2a1908f7e6d5.dir',
  };
  const env = { GITHUB_SHA: SHA, SOURCE_DATE_EPOCH: '1795392000' };

  it.each<[string, Parameters<typeof runAction>[1], string[], string]>([
    [
      'push to main',
      { event: 'push', env: { ...env, GITHUB_REF: 'refs/heads/main' } },
      ['sha-9c8d7e6', 'model-gbdt-579950fcf331', 'latest'],
      'sha-9c8d7e6',
    ],
    [
      'tag v1.4.0',
      {
        event: 'push',
        eventFile: 'push-tag.json',
        env: { ...env, GITHUB_REF: 'refs/tags/v1.4.0' },
      },
      ['1.4.0', '1.4', '1', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
      '1.4.0',
    ],
    [
      'pull_request #42',
      { event: 'pull_request', env: { ...env, GITHUB_REF: 'refs/pull/42/merge' } },
      ['pr-42', 'sha-9c8d7e6', 'model-gbdt-579950fcf331'],
      'pr-42',
    ],
    [
      'workflow_dispatch on main',
      { event: 'workflow_dispatch', env: { ...env, GITHUB_REF: 'refs/heads/main' } },
      ['sha-9c8d7e6', 'model-gbdt-579950fcf331', 'latest'],
      'sha-9c8d7e6',
    ],
  ])('%s', async (_name, options, tags, version) => {
    const run = await runAction('tag-image', { ...options, inputs });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.tags!.split('\n')).toEqual(
      tags.map((t) => `ghcr.io/housing-mlops/housing-service:${t}`),
    );
    expect(run.outputs.version).toBe(version);
    expect(run.outputs.labels!.split('\n')).toEqual([
      'org.opencontainers.image.source=https://github.com/housing-mlops/housing-mlops',
      `org.opencontainers.image.revision=${SHA}`,
      'org.opencontainers.image.created=2026-11-23T00:00:00.000Z',
      `org.opencontainers.image.version=${version}`,
      'io.housing-mlops.model.version=gbdt-579950fcf331',
      'io.housing-mlops.data.md5=7b2f0e1c9a8d6e5f4c3b2a1908f7e6d5.dir',
    ]);
    expect(run.outputs.annotations!.split('\n')[0]).toBe(
      'index:org.opencontainers.image.source=https://github.com/housing-mlops/housing-mlops',
    );
    expect(run.outputs.digest).toBeUndefined();
  });

  it('names a bad image input', async () => {
    const run = await runAction('tag-image', {
      inputs: { images: 'ghcr.io/Org/Service:latest' },
      env,
    });
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      "input 'images': 'ghcr.io/Org/Service:latest' is not an image name without a tag or digest (registry/owner/name, e.g. ghcr.io/acme/housing-service)",
    );
  });

  it('lower-cases an owner with capitals, as ghcr.io/${{ github.repository }} gives it', async () => {
    const run = await runAction('tag-image', {
      inputs: { ...inputs, images: 'ghcr.io/Housing-MLOps/Housing-MLOps/housing-service' },
      env: { ...env, GITHUB_REF: 'refs/heads/main' },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.tags!.split('\n')).toEqual(
      ['sha-9c8d7e6', 'model-gbdt-579950fcf331', 'latest'].map(
        (t) => `ghcr.io/housing-mlops/housing-mlops/housing-service:${t}`,
      ),
    );
    expect(run.outputs['model-version']).toBe('gbdt-579950fcf331');
    expect(run.outputs.image).toBeUndefined();
  });

  describe('with push, against a stand-in docker executable first on PATH', () => {
    let bin: string;
    beforeAll(async () => {
      bin = await mkdtemp(join(tmpdir(), 'fake-docker-'));
      // Records its arguments and writes the metadata file buildx would.
      await writeFile(
        join(bin, 'docker'),
        `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(join(bin, 'calls.jsonl'))}, JSON.stringify(args) + '\\n');
const i = args.indexOf('--metadata-file');
if (process.env.FAKE_DOCKER_FAIL) { console.error('ERROR: failed to push: denied'); process.exit(1); }
fs.writeFileSync(args[i + 1], JSON.stringify({ 'containerimage.digest': process.env.FAKE_DIGEST ?? 'sha256:' + 'ab'.repeat(32) }));
`,
      );
      await chmod(join(bin, 'docker'), 0o755);
    });
    afterAll(() => rm(bin, { recursive: true, force: true }));

    it('builds and pushes every tag with the labels and annotations, and outputs the digest', async () => {
      const run = await runAction('tag-image', {
        inputs: { ...inputs, push: 'true' },
        env: {
          ...env,
          GITHUB_REF: 'refs/heads/main',
          PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
        },
      });
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs.digest).toBe(`sha256:${'ab'.repeat(32)}`);
      // What promote and deploy take: the first image, by digest.
      expect(run.outputs.image).toBe(
        `ghcr.io/housing-mlops/housing-service@sha256:${'ab'.repeat(32)}`,
      );
      const calls = (await readFile(join(bin, 'calls.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[]);
      expect(calls).toHaveLength(1);
      const args = calls[0]!;
      expect(args.slice(0, 3)).toEqual(['buildx', 'build', '--push']);
      expect(args.filter((_, i) => args[i - 1] === '--tag')).toEqual(run.outputs.tags!.split('\n'));
      expect(args.filter((_, i) => args[i - 1] === '--label')).toEqual(
        run.outputs.labels!.split('\n'),
      );
      expect(args.filter((_, i) => args[i - 1] === '--annotation')).toEqual(
        run.outputs.annotations!.split('\n'),
      );
      expect(args.at(-1)).toBe('.');
      expect(run.summary).toContain(`pushed: \`sha256:${'ab'.repeat(32)}\``);
    });

    it('fails the job when the push fails', async () => {
      const run = await runAction('tag-image', {
        inputs: { ...inputs, push: 'true' },
        env: {
          ...env,
          GITHUB_REF: 'refs/heads/main',
          FAKE_DOCKER_FAIL: '1',
          PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
        },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('ERROR: failed to push: denied');
      expect(run.annotations.at(-1)?.message).toBe(
        'docker buildx build exited with 1; see the log above',
      );
    });

    it('fails when buildx reports no sha256 digest, rather than promote a name it cannot pin', async () => {
      const run = await runAction('tag-image', {
        inputs: { ...inputs, push: 'true' },
        env: {
          ...env,
          GITHUB_REF: 'refs/heads/main',
          FAKE_DIGEST: 'sha256:short',
          PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
        },
      });
      expect(run.code).toBe(1);
      expect(run.annotations.at(-1)?.message).toBe(
        'docker buildx wrote no sha256 containerimage.digest to its metadata file (got "sha256:short")',
      );
      expect(run.outputs.image).toBeUndefined();
    });
  });
});
