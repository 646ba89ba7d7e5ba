import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_CACHE_VARIABLE } from './model-fixture.ts';

/**
 * vitest `globalSetup` of the integration project: one folder per `vitest run` where the
 * first suite that needs a trained model trains it and every later one copies it
 * (`trainModel` in ./service.ts). Nothing trains here, so a run that needs no model pays
 * nothing; the folder goes when the run ends.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'housing-trained-models-'));
  process.env[MODEL_CACHE_VARIABLE] = dir;
  return async () => {
    delete process.env[MODEL_CACHE_VARIABLE];
    await rm(dir, { recursive: true, force: true });
  };
}
