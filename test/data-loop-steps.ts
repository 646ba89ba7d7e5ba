/**
 * The steps of test/data-loop.test.ts that both stores share: predicting and
 * labelling through the service's routes, reading its /metrics, and running
 * the pipeline's CLIs as processes in temporary checkouts.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { housingRemote } from '@housing/test-support/dvc-remote';
import { HOUSING_CSV, ROOT } from '@housing/test-support/root';
import { post } from '@housing/test-support/service';

/** A request row and its true price. */
export interface LabelledRow {
  features: Record<string, number | string | null>;
  target: number;
}

/** The feedback route's own token (never the admin token). */
export const FEEDBACK_TOKEN = 'feedback-token-0123456789abcdef';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Predicts `rows` through /v1/predict/batch, 1,000 rows a request: outputs, ids and version. */
export async function predictAll(
  service: string,
  rows: LabelledRow[],
): Promise<{ predictions: number[]; ids: string[]; version: string }> {
  const predictions: number[] = [];
  const ids: string[] = [];
  let version = '';
  for (let i = 0; i < rows.length; i += 1000) {
    const answer = await post(`${service}/v1/predict/batch`, {
      instances: rows.slice(i, i + 1000).map((r) => r.features),
    });
    if (answer.status !== 200) throw new Error(`predict: ${answer.status} ${answer.body.error}`);
    predictions.push(...answer.body.predictions!);
    ids.push(...answer.body.prediction_ids!);
    version = answer.body.model_version!;
  }
  return { predictions, ids, version };
}

/**
 * Posts ground truth in batches of 1,000. The log writes predictions up to
 * PREDICTION_LOG_FLUSH_MS after their answer, so an id may be unknown (404)
 * for a moment: those items are sent again, at most 50 times 200 ms.
 * Returns how many items were recorded.
 */
export async function postFeedback(
  service: string,
  items: { id: string; actual: number }[],
): Promise<number> {
  let recorded = 0;
  for (let i = 0; i < items.length; i += 1000) {
    let pending = items.slice(i, i + 1000);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 50) throw new Error(`feedback: ${pending.length} id(s) stayed unknown`);
      const answer = await fetch(`${service}/v1/feedback`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${FEEDBACK_TOKEN}`,
        },
        body: JSON.stringify({ items: pending }),
      });
      const body = (await answer.json()) as {
        error?: string;
        results?: { id: string; status: number; result: string }[];
      };
      if (answer.status !== 200) throw new Error(`feedback: ${answer.status} ${body.error}`);
      const unknown = new Set(body.results!.filter((r) => r.status === 404).map((r) => r.id));
      const refused = body.results!.filter((r) => r.status !== 200 && r.status !== 404);
      if (refused.length > 0) throw new Error(`feedback refused: ${JSON.stringify(refused[0])}`);
      recorded += body.results!.filter((r) => r.result === 'recorded').length;
      pending = pending.filter((item) => unknown.has(item.id));
      if (pending.length > 0) await sleep(200);
    }
  }
  return recorded;
}

/** The sum of a metric's samples on the service's /metrics whose labels include `labels`. */
export async function metricValue(
  service: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${service}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Root-mean-square error of `predictions` against `actual`. */
export function rmse(predictions: readonly number[], actual: readonly number[]): number {
  const sum = predictions.reduce((s, p, i) => s + (p - actual[i]!) ** 2, 0);
  return Math.sqrt(sum / predictions.length);
}

/** What a CLI run printed and how it ended. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** PIDs of the CLIs running now (a step that failed midway may leave one). */
const runningClis = new Set<number>();

/** Stops, by PID, every CLI that {@link runCli} started and that still runs: for afterAll. */
export function stopRunningClis(): void {
  for (const pid of runningClis) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended between its close event and now
    }
  }
  runningClis.clear();
}

/**
 * Runs one of the pipeline's CLIs (`pipeline/src/cli/<name>.ts`) as a process
 * in `cwd`, as `npm run` would, with only PATH, HOME and `env`.
 * Asynchronous, so the test's own servers keep answering meanwhile.
 */
export function runCli(
  name: string,
  cwd: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(ROOT, `pipeline/src/cli/${name}.ts`), ...args],
    {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (child.pid) runningClis.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (status) => {
      if (child.pid) runningClis.delete(child.pid);
      resolve({ status, stdout, stderr });
    }),
  );
}

/**
 * A checkout for the data CLIs in a new temporary folder `<base>/repo`:
 * params.yaml, the contract, data.dvc and `.dvc/config` naming the local
 * remote `remote`, and, when `withData`, a copy of the pulled data/.
 */
export async function makeCheckout(
  base: string,
  name: string,
  remote: string,
  dataDvc: string,
  withData: boolean,
): Promise<string> {
  const repo = join(base, name);
  await mkdir(join(repo, '.dvc'), { recursive: true });
  await mkdir(join(repo, 'pipeline/contract'), { recursive: true });
  await cp(join(ROOT, 'params.yaml'), join(repo, 'params.yaml'));
  await cp(
    join(ROOT, 'pipeline/contract/housing.contract.json'),
    join(repo, 'pipeline/contract/housing.contract.json'),
  );
  await cp(dataDvc, join(repo, 'data.dvc'));
  if (withData) {
    await mkdir(join(repo, 'data'));
    await cp(HOUSING_CSV, join(repo, 'data/housing.csv'));
  }
  await writeFile(
    join(repo, '.dvc/config'),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${remote}\n`,
  );
  return repo;
}

/** A new temporary folder holding a copy of the run's local DVC remote, as `<base>/remote`. */
export async function remoteCopy(): Promise<{ base: string; remote: string }> {
  const base = await mkdtemp(join(tmpdir(), 'data-loop-'));
  const remote = join(base, 'remote');
  await cp(housingRemote(), remote, { recursive: true });
  return { base, remote };
}
