import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from '@housing/core/logger';
import { CommandError, formatLocation } from '@housing/core/errors';
import { stat } from 'node:fs/promises';
import { readYamlFile } from '@housing/core/yaml-file';
import { isUpToDate, PARAMS_FILE, readDvcLock, recordStage, writeDvcLock } from './dvc-lock.ts';
import type { Stage } from './dvcyaml.ts';

/** The signals that stop a command line; each is passed on to the running child. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Waits for a child started in its own process group, passing SIGINT, SIGTERM
 * and SIGHUP on to the whole group (a shell does not pass them on to its
 * command, so signalling the shell alone would orphan the command). When one
 * arrived, this process ends with the same signal once the child has ended,
 * instead of going on to the next step. Resolves with the child's exit code.
 */
function superviseChild(child: ChildProcess): Promise<number> {
  let received: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    received = signal;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // the group has already ended
    }
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise<number>((resolve, reject) => {
    const done = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };
    child.once('error', (error) => {
      done();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      done();
      if (received && process.listenerCount(received) === 0) {
        // End as the child did, so that whoever started us sees the signal.
        process.kill(process.pid, received);
        return;
      }
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/**
 * Runs a shell command from `cwd`, inheriting stdio; resolves with its exit
 * code. The command runs in its own process group so that a signal to this
 * process reaches it and everything it started (see superviseChild).
 */
export function runShell(command: string, cwd: string): Promise<number> {
  return superviseChild(spawn(command, { cwd, shell: true, stdio: 'inherit', detached: true }));
}

/**
 * Runs a TypeScript entry point in a new node with this process's loader
 * flags (`--import tsx`): no npm and no shell in between. Signals as runShell.
 */
export function runScript(script: string, args: string[], cwd: string): Promise<number> {
  return superviseChild(
    spawn(process.execPath, [...process.execArgv, script, ...args], {
      cwd,
      stdio: 'inherit',
      detached: true,
    }),
  );
}

/** How {@link runStages} keeps its record. */
export interface RunStagesOptions {
  /** dvc.lock's path; undefined runs every stage and records nothing. */
  lockFile?: string;
  /** Run every stage even when its record says it is up to date (`dvc repro --force`). */
  force?: boolean;
}

/**
 * Runs stages in the given order, each command in a shell from the stage's
 * `wdir` (the repository root by default), skipping frozen stages, as
 * `dvc repro` does. With a lock file, a stage whose record still holds (same
 * command, params, dependencies and outputs) is skipped, unless it is
 * `always_changed`, and each stage that ran is recorded in DVC 3's dvc.lock
 * format. Stops at the first failing command.
 */
export async function runStages(
  stages: Stage[],
  cwd: string,
  logger: Logger,
  options: RunStagesOptions = {},
): Promise<void> {
  const { lockFile, force = false } = options;
  const lock = lockFile ? await readDvcLock(lockFile) : undefined;
  const params = lockFile ? await readParams(cwd) : undefined;
  for (const stage of stages) {
    if (stage.frozen) {
      logger.info(`stage ${stage.name} is frozen: not run`);
      continue;
    }
    const mayHold = lock && !force && !stage.alwaysChanged;
    if (mayHold && (await isUpToDate(stage, lock.stages[stage.name], cwd, params))) {
      logger.info(`stage ${stage.name} didn't change, skipping`);
      continue;
    }
    logger.info(`stage ${stage.name}`);
    for (const command of stage.cmd) {
      const started = performance.now();
      const code = await runShell(command, join(cwd, stage.wdir ?? '.'));
      if (code !== 0) {
        // Its output went to the terminal (stdio inherited): there is no stderr to quote.
        throw new CommandError(
          ['sh', '-c', command],
          code,
          '',
          null,
          `stage '${stage.name}' (${formatLocation({ file: 'dvc.yaml', line: stage.line })}) failed`,
        );
      }
      logger.info(
        `stage ${stage.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    if (lock && lockFile) {
      lock.stages[stage.name] = await recordStage(stage, cwd, params);
      await writeDvcLock(
        lockFile,
        lock,
        stages.map((s) => s.name),
      );
    }
  }
}

/** params.yaml as parsed YAML (the stages' own CLIs validate it); absent is empty. */
async function readParams(cwd: string): Promise<unknown> {
  const file = join(cwd, PARAMS_FILE);
  return (await stat(file).then(
    () => true,
    () => false,
  ))
    ? readYamlFile(file)
    : {};
}
