import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FakeRelease } from '@housing/test-support/fake-github';
import { versionMarker } from '../shared/model-release.ts';

/** A trained model folder's version, as its card names it. */
export async function versionOf(modelDir: string): Promise<string> {
  const card = JSON.parse(await readFile(join(modelDir, 'model.card.json'), 'utf8')) as {
    model_version: string;
  };
  return card.model_version;
}

/**
 * A model release as publish-model makes it, of a real trained model: its
 * version marker in the notes, and model.onnx (bytes), the card and the
 * metrics as assets with ids `id * 10 + 1..3`.
 */
export async function modelRelease(
  id: number,
  tag: string,
  createdAt: string,
  modelDir: string,
  assets: readonly string[] = ['model.onnx', 'model.card.json', 'metrics.json'],
): Promise<FakeRelease> {
  return {
    id,
    tag_name: tag,
    draft: false,
    prerelease: false,
    created_at: createdAt,
    body: `${versionMarker(await versionOf(modelDir))}\n\nModel release.`,
    assets: await Promise.all(
      assets.map(async (name, i) => ({
        id: id * 10 + i + 1,
        name,
        content: await readFile(join(modelDir, name)),
      })),
    ),
  };
}

/** Writes a deploy/production.yml naming `modelVersion` (null: nothing promoted yet) and returns its path. */
export async function productionFile(
  dir: string,
  name: string,
  modelVersion: string | null,
): Promise<string> {
  const path = join(dir, `${name}.production.yml`);
  await writeFile(
    path,
    [
      'environment: production',
      // deploy/*.yml names images by digest; any well-formed one serves here.
      `image: ${modelVersion === null ? 'null' : `ghcr.io/housing-mlops/housing-mlops/housing-service@sha256:${'0'.repeat(64)}`}`,
      `model_version: ${modelVersion ?? 'null'}`,
      '',
    ].join('\n'),
  );
  return path;
}
