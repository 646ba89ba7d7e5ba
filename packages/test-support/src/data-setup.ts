import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataRemote, REMOTE_VARIABLE } from './dvc-remote.ts';
import { ROOT } from './root.ts';

/**
 * vitest `globalSetup` of every project whose tests read the data: the run stops here, as a
 * failure and never as skipped tests, when `data/` is not what `data.dvc` records (missing,
 * stale or edited), with one line that says how to pull it. Otherwise it builds the run's
 * local DVC remote of that data in a temporary folder (`housingRemote()`, for the tests of
 * the pull itself) and removes it when the run ends. Both projects list it; the first to
 * run builds the remote and the other reuses it.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const built = process.env[REMOTE_VARIABLE];
  if (built && existsSync(built)) return async () => {};
  const dir = await mkdtemp(join(tmpdir(), 'housing-dvc-remote-'));
  try {
    await buildDataRemote(ROOT, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    // One line, without a stack: the message already says what to do.
    const failure = new Error((error as Error).message);
    failure.stack = `${failure.name}: ${failure.message}`;
    throw failure;
  }
  process.env[REMOTE_VARIABLE] = dir;
  return async () => {
    delete process.env[REMOTE_VARIABLE];
    await rm(dir, { recursive: true, force: true });
  };
}
