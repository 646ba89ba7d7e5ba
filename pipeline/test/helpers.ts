import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

import { housingRemote } from '@housing/test-support/dvc-remote';
import { HOUSING_CSV, ROOT } from '@housing/test-support/root';

export { HOUSING_CSV, ROOT };
/** The run's local DVC remote of the pulled data (read-only: copy it to corrupt it). */
export const REMOTE = housingRemote();
export const CONTRACT = join(ROOT, 'pipeline/contract/housing.contract.json');
export const HOUSING_MD5 = '926e9da0bad793e03c119a4f5809f65c';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary directory, removed after the test. */
export async function tempDir(prefix = 'housing-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
