import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempPathFor } from '@housing/core/atomic';
import { ConfigurationError, errnoCode } from '@housing/core/errors';

/** The files that make up a servable model. */
export const MODEL_FILES = ['model.onnx', 'model.card.json', 'model.json'] as const;

/**
 * Installs a candidate's model files into the production slot (`models/production`,
 * what `npm start` serves) as one unit: the
 * files are staged in a sibling folder, then swapped in by rename, so a reader
 * never sees a card from one model beside the graph of another.
 */
export async function installModel(candidateDir: string, productionDir: string): Promise<void> {
  const staging = tempPathFor(productionDir);
  await mkdir(staging, { recursive: true });
  try {
    for (const file of MODEL_FILES) {
      await cp(join(candidateDir, file), join(staging, file)).catch((error: unknown) => {
        throw new ConfigurationError(
          `cannot copy ${file} (${errnoCode(error) ?? 'unreadable'}); run the pipeline first`,
          join(candidateDir, file),
        );
      });
    }
    await mkdir(dirname(productionDir), { recursive: true });
    const previous = tempPathFor(productionDir);
    const hadPrevious = await rename(productionDir, previous).then(
      () => true,
      (error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(staging, productionDir);
    if (hadPrevious) await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
