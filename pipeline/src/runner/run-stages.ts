import { spawn } from 'node:child_process';
import type { Logger } from '../util/logger.ts';
import { ConfigurationError } from '../util/errors.ts';
import type { Stage } from './dvcyaml.ts';

/** Runs a shell command from `cwd`, inheriting stdio; resolves with its exit code. */
export function runShell(command: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, shell: true, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Runs stages in the given order, each command in a shell from the
 * repository root, as `dvc repro` does. Stops at the first failing command.
 */
export async function runStages(stages: Stage[], cwd: string, logger: Logger): Promise<void> {
  for (const stage of stages) {
    logger.info(`stage ${stage.name}`);
    for (const command of stage.cmd) {
      const started = performance.now();
      const code = await runShell(command, cwd);
      if (code !== 0) {
        throw new ConfigurationError(
          `stage '${stage.name}' failed: '${command}' exited with ${code}`,
          `dvc.yaml:${stage.line}`,
        );
      }
      logger.info(
        `stage ${stage.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
}
