import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '@housing/test-support/fake-github';
import type { FakeRelease } from '@housing/test-support/fake-github';
import { versionMarker } from '../shared/model-release.ts';
import { runAction } from './harness.ts';
import { productionFile } from './model-releases.ts';

const TOKEN = 'ghs_productionModelTokenForTheLoopback01';
const V1 = 'gbdt-111111111111';
const V2 = 'gbdt-222222222222';

/** A model release as publish-model makes it: the version marker, the graph and the card. */
const release = (id: number, version: string): FakeRelease => ({
  id,
  tag_name: `model-v${id}`,
  draft: false,
  prerelease: false,
  created_at: `2026-11-0${id}T00:00:00Z`,
  body: `${versionMarker(version)}\n\nModel release.`,
  assets: [
    { id: id * 10 + 1, name: 'model.onnx', content: `the graph of ${version}` },
    {
      id: id * 10 + 2,
      name: 'model.card.json',
      content: JSON.stringify({ model_version: version }),
    },
  ],
});

describe("production-model (bundled dist, a loopback GitHub): image.yml's model is production's", () => {
  let github: FakeGitHub;
  let dir: string;
  const fetchModel = (desiredState: string, out: string) =>
    runAction('production-model', {
      inputs: { 'desired-state': desiredState, dir: out, 'github-token': TOKEN },
      env: { GITHUB_API_URL: github.url },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'production-model-'));
    github = await startFakeGitHub(TOKEN);
  });
  afterAll(async () => {
    await github.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    github.calls.length = 0;
    github.releases.length = 0;
    // model-v2 is the newest release, but production was rolled back to model-v1's model.
    github.releases.push(release(2, V2), release(1, V1));
  });

  it('takes the model deploy/production.yml names, not the newest release', async () => {
    const out = join(dir, 'rolled-back');
    const run = await fetchModel(await productionFile(dir, 'v1', V1), out);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ release: 'model-v1', 'model-version': V1 });
    expect((await readdir(out)).sort()).toEqual(['model.card.json', 'model.onnx']);
    expect(await readFile(join(out, 'model.onnx'), 'utf8')).toBe(`the graph of ${V1}`);
    expect(JSON.parse(await readFile(join(out, 'model.card.json'), 'utf8'))).toEqual({
      model_version: V1,
    });
  });

  it('fetches nothing, and says so, when production names no model yet', async () => {
    const out = join(dir, 'none');
    const run = await fetchModel(await productionFile(dir, 'none', null), out);
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ release: '', 'model-version': '' });
    expect(run.annotations).toContainEqual({
      level: 'notice',
      message: `${join(dir, 'none.production.yml')} names no model yet: nothing fetched`,
    });
    expect(github.calls).toEqual([]);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('fails, naming the file and the version, when no release holds the model', async () => {
    const file = await productionFile(dir, 'gone', 'gbdt-333333333333');
    const run = await fetchModel(file, join(dir, 'gone'));
    expect(run.code).toBe(1);
    expect(run.annotations.at(-1)?.message).toBe(
      `${file} model_version gbdt-333333333333: no published release holds model gbdt-333333333333 (none has '${versionMarker('gbdt-333333333333')}' in its notes): publish it with the publish-model action`,
    );
    await expect(readdir(join(dir, 'gone'))).rejects.toThrow(/ENOENT/);
  });
});
