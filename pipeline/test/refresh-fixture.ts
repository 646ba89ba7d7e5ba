import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '@housing/prediction-store/database';
import { loadContract } from '../src/contract/contract.ts';
import { CONTRACT, HOUSING_CSV, REMOTE, ROOT, tempDir } from './helpers.ts';
import { profileCsv } from './reference.ts';

/**
 * A checkout for data:refresh in a temporary folder, never the worktree's
 * own data/ or data.dvc: params.yaml, the contract, data.dvc and a copy of
 * the pulled data/, and a local remote (a copy of the run's) named in
 * .dvc/config.
 */
export async function makeCheckout(): Promise<{ repo: string; remote: string }> {
  const base = await tempDir('refresh-');
  const repo = join(base, 'repo');
  const remote = join(base, 'remote');
  await cp(REMOTE, remote, { recursive: true });
  await mkdir(join(repo, '.dvc'), { recursive: true });
  await mkdir(join(repo, 'data'));
  await mkdir(join(repo, 'pipeline/contract'), { recursive: true });
  await cp(join(ROOT, 'params.yaml'), join(repo, 'params.yaml'));
  await cp(CONTRACT, join(repo, 'pipeline/contract/housing.contract.json'));
  await cp(join(ROOT, 'data.dvc'), join(repo, 'data.dvc'));
  await cp(HOUSING_CSV, join(repo, 'data/housing.csv'));
  await writeFile(
    join(repo, '.dvc/config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${remote}\n`,
  );
  return { repo, remote };
}

/** A card holding the pulled data's reference profile, as production's would. */
export async function referenceCard(dir: string): Promise<string> {
  const profile = await profileCsv(HOUSING_CSV, await loadContract(CONTRACT));
  const card = join(dir, 'model.card.json');
  await writeFile(
    card,
    JSON.stringify({ model_version: 'v-reference', reference_profile: profile }),
  );
  return card;
}

/** The first `n` rows of the pulled data as feature objects and their target. */
export async function housingRows(
  n: number,
  skip = 0,
): Promise<{ input: Record<string, unknown>; target: number }[]> {
  const lines = (await readFile(HOUSING_CSV, 'utf8')).split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1 + skip, 1 + skip + n).map((line) => {
    const cells = line.split(',');
    const input: Record<string, unknown> = {};
    let target = 0;
    header.forEach((name, i) => {
      const raw = cells[i]!;
      const value = name === 'ocean_proximity' ? raw : raw === '' ? null : Number(raw);
      if (name === 'median_house_value') target = value as number;
      else input[name] = value;
    });
    return { input, target };
  });
}

/** Ground truth that differs from the data set's own value, inside the contract's target range. */
export const shifted = (target: number, by = 1234) =>
  target > 400_000 ? target - by : target + by;

let counter = 0;

/**
 * Logs predictions straight into the store with SQL, as the service's log
 * writes them: each with its input (or NULL), and ground truth when
 * `actual` is given, received at `receivedAt`.
 */
export async function logPredictions(
  db: Pick<Database, 'query'>,
  rows: {
    input: Record<string, unknown> | null;
    actual?: number;
    receivedAt?: Date;
    id?: string;
  }[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const row of rows) {
    const id = row.id ?? `pred-${++counter}-${process.pid}`;
    ids.push(id);
    await db.query(
      'INSERT INTO predictions (id, request_id, row_index, predicted_at, model_version, input, output) VALUES ($1, $2, 0, now(), $3, $4, $5)',
      [id, `req-${id}`, 'model-v1', row.input, 200000],
    );
    if (row.actual !== undefined)
      await db.query(
        'INSERT INTO feedback (prediction_id, actual, received_at) VALUES ($1, $2, $3)',
        [id, row.actual, (row.receivedAt ?? new Date()).toISOString()],
      );
  }
  return ids;
}
