import { orderStages, readDvcYaml } from '../runner/dvcyaml.ts';
import { runShell, runStages } from '../runner/run-stages.ts';
import { parseFlags, type CommandHelp } from '@housing/core/args';
import { createCliLogger } from '@housing/core/logger';
import { which } from '@housing/core/which';
import { runCli } from '@housing/core/run-cli';

const HELP: CommandHelp = {
  command: 'npm run pipeline',
  summary:
    "Runs dvc.yaml's stages (validate, train, evaluate): `dvc repro` when DVC is on PATH, else\neach stage's command in dependency order, skipping stages whose dvc.lock record still holds\nand recording the others in dvc.lock (DVC 3's format). Stops at the first stage that fails (exit 1 or 2).",
};

/**
 * `npm run pipeline`: `dvc repro` when DVC is installed; otherwise runs
 * dvc.yaml's stages itself, in dependency order. dvc.yaml is the one source
 * of truth for what the stages run.
 */
runCli(async (argv) => {
  const flags = parseFlags(
    argv,
    {
      builtin: {
        type: 'boolean',
        description: 'run the stages with the built-in runner even when DVC is installed',
      },
      force: {
        type: 'boolean',
        description:
          'run every stage, even those whose dvc.lock record still holds (dvc repro --force)',
      },
    },
    HELP,
  );
  const logger = createCliLogger('pipeline');
  if (!flags.builtin && which('dvc')) {
    logger.info('dvc is on PATH: running dvc repro');
    return runShell(flags.force ? 'dvc repro --force' : 'dvc repro', process.cwd());
  }
  const stages = orderStages(await readDvcYaml('dvc.yaml'));
  logger.info(`running ${stages.map((s) => s.name).join(' -> ')} from dvc.yaml`);
  await runStages(stages, process.cwd(), logger, {
    lockFile: 'dvc.lock',
    force: flags.force === true,
  });
  return 0;
});
