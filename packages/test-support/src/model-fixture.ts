import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The variable through which the integration project's globalSetup hands the run's cache
 * folder to the test workers (vitest starts them with its environment, after the setup).
 */
export const MODEL_CACHE_VARIABLE = 'HOUSING_TEST_MODEL_CACHE';

/** Trains a model into an empty folder (the pipeline's own CLIs). */
export type Trainer = (dir: string, trainArgs: string[]) => void | Promise<void>;

/** The run's cache folder, or undefined outside the integration project (nothing sets it). */
function cacheDir(): string | undefined {
  const dir = process.env[MODEL_CACHE_VARIABLE];
  return dir && existsSync(dir) ? dir : undefined;
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Whether the process that wrote a lock file still runs (a killed worker leaves its lock). */
async function lockHolderAlive(lock: string): Promise<boolean> {
  const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) return true; // being written: not stale yet
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The folder of the run's model trained with `trainArgs`, trained on the first call of the
 * run and read-only to everyone after: callers copy it before use (`trainModel` does).
 * Suites run in several worker processes at once, so one holds `<key>.lock` (created
 * exclusively, holding its pid) while it trains into a private folder and renames it into
 * place; the others wait for the folder. Undefined when the run provides no cache.
 */
export async function sharedModel(
  trainArgs: string[],
  train: Trainer,
): Promise<string | undefined> {
  const cache = cacheDir();
  if (cache === undefined) return undefined;
  const key = createHash('sha256').update(JSON.stringify(trainArgs)).digest('hex').slice(0, 16);
  const model = join(cache, key);
  const lock = `${model}.lock`;
  while (!existsSync(model)) {
    const handle = await open(lock, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (handle === undefined) {
      if (!(await lockHolderAlive(lock))) await rm(lock, { force: true });
      else await pause(200);
      continue;
    }
    try {
      await handle.writeFile(String(process.pid));
      await handle.close();
      if (existsSync(model)) break; // trained between our check and our lock
      const staging = await mkdtemp(`${model}.tmp-`);
      try {
        await train(staging, trainArgs);
        await rename(staging, model);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
    } finally {
      await rm(lock, { force: true });
    }
  }
  return model;
}
