import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@housing/core/atomic';
import { errnoCode } from '@housing/core/errors';

/** What this runner last did to an environment, kept on the runner's disk. */
export interface EnvironmentRecord {
  environment: string;
  /** What runs now (after a deploy or a rollback). */
  image: string | null;
  model_version: string | null;
  updated_at: string;
  /** Images whose deploy failed and was rolled back: never re-applied without force. */
  rolled_back: { image: string; at: string; reason: string }[];
}

const file = (dir: string, environment: string) => join(dir, `${environment}.json`);

export async function readRecord(dir: string, environment: string): Promise<EnvironmentRecord> {
  try {
    return JSON.parse(await readFile(file(dir, environment), 'utf8')) as EnvironmentRecord;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    return { environment, image: null, model_version: null, updated_at: '', rolled_back: [] };
  }
}

/** Writes the record atomically: a crash mid-write leaves the old one. */
export function writeRecord(dir: string, record: EnvironmentRecord): Promise<void> {
  return writeJsonAtomic(file(dir, record.environment), record);
}
