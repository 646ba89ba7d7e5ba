/**
 * `npm run stack` for real, as a user runs it: every URL it prints opens
 * (200), and a signal to npm or to the stack, or the death of one of its
 * children, stops every process it started and removes its temporary folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModel, removeDir, ROOT } from '@housing/test-support/service';
import {
  accepts,
  descendants,
  killSurvivors,
  spawnNpm,
  survivors,
  type NpmRun,
  type ProcessInfo,
} from '@housing/test-support/process-tree';
import { missing } from '@housing/test-support/programs';

/** Every process whose command line or environment contains one of `texts`. */
function processesUsing(texts: string[]): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const seen = ['cmdline', 'environ'].map((f) => readFileSync(`/proc/${pid}/${f}`, 'utf8'));
        return texts.some((text) => seen.some((s) => s.includes(text)));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A running `npm run stack`, with what it printed and started. */
interface RunningStack {
  run: NpmRun;
  urls: string[];
  tree: ProcessInfo[];
  /** The stack's temporary folder, from Prometheus's command line. */
  storage: string;
}

describe.skipIf(
  missing('prometheus') || (missing('prometheus-alertmanager') && missing('alertmanager')),
)('npm run stack', () => {
  let modelDir: string;
  const pids = new Set<number>();
  const storages: string[] = [];
  beforeAll(async () => {
    modelDir = await trainModel();
  }, 120_000);
  afterAll(async () => {
    // Only what a failed test left behind: a passing stack removed its own.
    killSurvivors([...pids]);
    await Promise.all([modelDir, ...storages].map(removeDir));
  });

  /** Starts the stack and waits for its URL block. */
  async function startStack(): Promise<RunningStack> {
    const run = spawnNpm(['run', 'stack'], ROOT, { MODEL_DIR: modelDir }, (line) =>
      /stops (everything|them all)/.test(line),
    );
    pids.add(run.pid);
    await run.ready;
    const tree = descendants(run.pid);
    for (const p of tree) pids.add(p.pid);
    const printed = run.output.join('\n');
    const urls = [...printed.matchAll(/https?:\/\/[^\s)]+/g)].map((m) => m[0]);
    const storage = /--storage\.tsdb\.path=(\S+)\/prometheus-data/.exec(
      tree.map((p) => p.command).join('\n'),
    )?.[1];
    if (!storage) throw new Error(`no prometheus below npm:\n${printed}`);
    storages.push(storage);
    return { run, urls, tree, storage };
  }

  /** What is left once the stack has ended: processes, listening ports, the folder. */
  async function leftovers(stack: RunningStack) {
    const ports = stack.urls.map((url) => Number(new URL(url).port));
    const listening: number[] = [];
    for (const port of new Set(ports)) if (await accepts(port)) listening.push(port);
    return {
      processes: (await survivors(stack.tree.map((p) => p.pid))).map((p) => p.command),
      listening,
      storageExists: existsSync(stack.storage),
    };
  }
  const NOTHING_LEFT = { processes: [], listening: [], storageExists: false };

  it('prints URLs that open, and SIGTERM to npm stops everything it started', async () => {
    const stack = await startStack();
    const answers: [string, number][] = [];
    for (const url of stack.urls) answers.push([url, (await fetch(url)).status]);
    expect(stack.urls.length).toBeGreaterThanOrEqual(4);
    expect(answers).toEqual(stack.urls.map((url) => [url, 200]));

    process.kill(stack.run.pid, 'SIGTERM');
    await stack.run.exited;
    expect(await leftovers(stack)).toEqual(NOTHING_LEFT);
  }, 180_000);

  it('SIGHUP to the stack stops everything it started', async () => {
    const stack = await startStack();
    const node = stack.tree.find((p) => p.command.includes('monitoring/src/cli/stack.ts'));
    expect(node).toBeDefined();
    process.kill(node!.pid, 'SIGHUP');
    await stack.run.exited;
    expect(await leftovers(stack)).toEqual(NOTHING_LEFT);
  }, 180_000);

  it('SIGTERM while the stack is starting stops what has started and removes the folder', async () => {
    const run = spawnNpm(['run', 'stack'], ROOT, { MODEL_DIR: modelDir }, (line) =>
      line.startsWith('starting'),
    );
    pids.add(run.pid);
    await run.ready;
    // Wait until Alertmanager runs (the first child), then stop before the rest is up.
    let tree: ProcessInfo[] = [];
    for (let i = 0; i < 600 && !tree.some((p) => /alertmanager --config/.test(p.command)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      tree = descendants(run.pid);
    }
    for (const p of tree) pids.add(p.pid);
    const storage = /--storage\.path=(\S+)\/alertmanager-data/.exec(
      tree.map((p) => p.command).join('\n'),
    )?.[1];
    expect(storage).toBeDefined();
    storages.push(storage!);
    process.kill(run.pid, 'SIGTERM');
    await run.exited;
    // Also what started after the snapshot: anything using the folder or this model.
    const started = [
      ...new Set([
        ...tree.map((p) => p.pid),
        ...processesUsing([storage!, `MODEL_DIR=${modelDir}`]),
      ]),
    ];
    for (const pid of started) pids.add(pid);
    expect({
      processes: (await survivors(started)).map((p) => p.command),
      storageExists: existsSync(storage!),
    }).toEqual({ processes: [], storageExists: false });
  }, 180_000);

  it('a child that dies stops the stack, every other child and removes the folder', async () => {
    const stack = await startStack();
    const prometheus = stack.tree.find((p) => /prometheus --config\.file/.test(p.command));
    expect(prometheus).toBeDefined();
    process.kill(prometheus!.pid, 'SIGKILL');
    // Bounded: a stack that ignores the death is stopped here, and the test fails below.
    const ended = await Promise.race([
      stack.run.exited.then((code) => ({ code })),
      new Promise<undefined>((done) => setTimeout(() => done(undefined), 60_000)),
    ]);
    if (!ended) process.kill(stack.run.pid, 'SIGTERM');
    await stack.run.exited;
    expect(ended?.code).toBe(1);
    expect(stack.run.output.join('\n')).toMatch(/prometheus (exited|ended)/);
    expect(await leftovers(stack)).toEqual(NOTHING_LEFT);
  }, 180_000);
});
