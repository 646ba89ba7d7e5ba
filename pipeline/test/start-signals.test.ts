/**
 * `npm start` and `npm run serve` for real: SIGTERM to the npm process (what a
 * process manager or `kill` sends) must reach the server, and every process
 * they started must end with it. Serving runs in one process below npm.
 *
 * `npm start` runs in a scratch root that links the repository's code and
 * writes its own data/, artifacts/, reports/ and models/.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REMOTE, ROOT } from './helpers.ts';
import {
  accepts,
  descendants,
  killSurvivors,
  spawnNpm,
  survivors,
} from '@housing/test-support/process-tree';

/**
 * A root where `npm start` can run: the code linked, .dvc/config pointing at
 * the real remote, and any file of `files` written instead of linked.
 */
async function scratchRoot(dir: string, files: Record<string, string> = {}): Promise<string> {
  for (const entry of [
    'package.json',
    'package-lock.json',
    '.npmrc',
    'node_modules',
    'tsconfig.json',
    'params.yaml',
    'dvc.yaml',
    'data.dvc',
    'pipeline',
    'service',
    'monitoring',
    'actions',
    'relay',
  ])
    if (files[entry] === undefined) await symlink(join(ROOT, entry), join(dir, entry));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  await mkdir(join(dir, '.dvc'));
  await writeFile(
    join(dir, '.dvc/config'),
    `[core]\n    remote = shared\n['remote "shared"']\n    url = ${REMOTE}\n`,
  );
  return dir;
}

/** Spawns npm, and resolves with the port once the service logs "listening". */
function startNpm(args: string[], cwd: string, env: Record<string, string>) {
  const run = spawnNpm(
    args,
    cwd,
    { HOST: '127.0.0.1', PORT: '0', SHUTDOWN_DRAIN_MS: '0', ...env },
    (line) => /"msg":"listening"/.test(line),
  );
  const port = run.ready.then((line) => Number(/"port":(\d+)/.exec(line)?.[1]));
  return { child: run.child, port, exited: run.exited };
}

/**
 * Sends SIGTERM to npm and reports what survived. The process list is taken
 * while serving; anything left is killed afterwards, so a failure leaks nothing.
 */
async function terminate(child: ChildProcess, exited: Promise<unknown>, port: number) {
  const tree = descendants(child.pid!);
  const summary = {
    processes: tree.length + 1,
    rssMb: Math.round(tree.reduce((sum, p) => sum + p.rssBytes, 0) / 2 ** 20),
  };
  const pids = tree.map((p) => p.pid);
  try {
    process.kill(child.pid!, 'SIGTERM');
    await exited;
    const left = await survivors(pids);
    return {
      tree,
      summary,
      survivors: left.map((p) => p.command),
      stillAccepting: await accepts(port),
    };
  } finally {
    killSurvivors(pids);
  }
}

describe('signals through npm', () => {
  let root: string;
  const spawned: ChildProcess[] = [];
  // Not tempDir(): that one is removed after each test, and both tests use this root.
  beforeAll(async () => {
    root = await scratchRoot(await mkdtemp(join(tmpdir(), 'npm-start-')));
  });
  afterAll(async () => {
    for (const child of spawned) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('SIGTERM to `npm start` stops the server it serves and every process below npm', async () => {
    const { child, port, exited } = startNpm(['start'], root, {});
    spawned.push(child);
    const result = await terminate(child, exited, await port);
    // What `npm start` costs while it serves (the issue measured 13 processes, 515 MB).
    console.log(
      `npm start serving: ${result.summary.processes} processes, ${result.summary.rssMb} MB RSS`,
    );
    const commands = result.tree.map((p) => p.command).filter((c) => !c.includes('esbuild'));
    expect({ survivors: result.survivors, stillAccepting: result.stillAccepting }).toEqual({
      survivors: [],
      stillAccepting: false,
    });
    // Below npm: one node process serves, no shell, no second npm, no tsx wrapper.
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^\S*node --import tsx pipeline\/src\/cli\/main\.ts/);
  }, 240_000);

  it('SIGTERM to `npm start` while a stage runs stops that stage too', async () => {
    // A root whose only stage runs until it is stopped: the signal comes while
    // it runs, in a shell below the stage runner, below npm start.
    const hanging = await scratchRoot(await mkdtemp(join(tmpdir(), 'npm-start-stage-')), {
      'dvc.yaml': `stages:\n  hang:\n    cmd: node -e "console.log('stage running'); setInterval(() => {}, 1000)"\n`,
    });
    try {
      const run = spawnNpm(['start', '--', '--no-serve'], hanging, {}, (line) =>
        line.includes('stage running'),
      );
      spawned.push(run.child);
      await run.ready;
      const tree = descendants(run.pid);
      const pids = tree.map((p) => p.pid);
      try {
        process.kill(run.pid, 'SIGTERM');
        await run.exited;
        expect((await survivors(pids)).map((p) => p.command)).toEqual([]);
      } finally {
        killSurvivors(pids);
      }
    } finally {
      await rm(hanging, { recursive: true, force: true });
    }
  }, 240_000);

  // `npm run serve` runs after the `npm start` cases, which promote the model it serves.
  it.each([
    ['npm start', ['start']],
    ['npm run serve', ['run', 'serve']],
  ])(
    'Ctrl-C (SIGINT to the whole foreground group) on `%s` drains and stops',
    async (_, args) => {
      // A process group of its own, as a terminal's foreground job: the terminal
      // signals npm and node, and npm forwards its SIGINT to node as well.
      const run = spawnNpm(
        args,
        root,
        {
          HOST: '127.0.0.1',
          PORT: '0',
          SHUTDOWN_DRAIN_MS: '0',
          MODEL_DIR: join(root, 'models/production'),
        },
        (line) => /"msg":"listening"/.test(line),
        { detached: true },
      );
      spawned.push(run.child);
      const port = Number(/"port":(\d+)/.exec(await run.ready)?.[1]);
      const pids = descendants(run.pid).map((p) => p.pid);
      try {
        process.kill(-run.pid, 'SIGINT');
        const code = await run.exited;
        const drained = run.output.some((line) => /"msg":"stopped"/.test(line));
        expect({ code, drained, stillAccepting: await accepts(port) }).toEqual({
          code: 0,
          drained: true,
          stillAccepting: false,
        });
        expect(await survivors(pids)).toEqual([]);
      } finally {
        killSurvivors(pids);
      }
    },
    240_000,
  );

  it('SIGTERM to `npm run serve` stops the service and every process below npm', async () => {
    const { child, port, exited } = startNpm(['run', 'serve'], root, {
      MODEL_DIR: join(root, 'models/production'),
    });
    spawned.push(child);
    const result = await terminate(child, exited, await port);
    const commands = result.tree.map((p) => p.command).filter((c) => !c.includes('esbuild'));
    expect({ survivors: result.survivors, stillAccepting: result.stillAccepting }).toEqual({
      survivors: [],
      stillAccepting: false,
    });
    expect(commands).toHaveLength(1);
  }, 120_000);
});
